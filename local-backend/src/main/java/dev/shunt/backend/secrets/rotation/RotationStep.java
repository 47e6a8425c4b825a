package dev.shunt.backend.secrets.rotation;

/** The four steps of a Secrets Manager rotation, in order, named as a rotation Lambda's event names them. */
public enum RotationStep {
  CREATE_SECRET("createSecret"),
  SET_SECRET("setSecret"),
  TEST_SECRET("testSecret"),
  FINISH_SECRET("finishSecret");

  private final String eventName;

  RotationStep(String eventName) {
    this.eventName = eventName;
  }

  /** The {@code Step} value of a rotation Lambda's event ({@code createSecret}...). */
  public String eventName() {
    return eventName;
  }
}
