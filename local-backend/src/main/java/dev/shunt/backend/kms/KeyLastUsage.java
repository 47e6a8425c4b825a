package dev.shunt.backend.kms;

import java.time.Instant;

/** A key's last cryptographic use as GetKeyLastUsage reports it: the operation, when, and the request. */
record KeyLastUsage(String operation, Instant timestamp, String requestId) {}
