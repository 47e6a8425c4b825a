package dev.shunt.backend.store;

/** The store cannot be opened or written: a message for the operator, naming the file and what to do. */
public class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
