package dev.shunt.backend.kms;

/** The states a symmetric key of Shunt's can be in (AWS's names). */
enum KeyState {
  Enabled,
  Disabled,
  PendingDeletion
}
