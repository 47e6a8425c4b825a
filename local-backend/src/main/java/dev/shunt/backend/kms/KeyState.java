package dev.shunt.backend.kms;

/** The states a symmetric key of Shunt's can be in (AWS's names). */
enum KeyState {
  Enabled,
  Disabled,
  PendingDeletion,
  /** An EXTERNAL key missing some of its imported material (never imported, deleted or expired). */
  PendingImport,
  /** A multi-Region primary key scheduled for deletion whose replicas still exist. */
  PendingReplicaDeletion
}
