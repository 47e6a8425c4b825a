package dev.shunt.backend.kms;

import java.time.Instant;

/** An alias: a friendly name ({@code alias/...}) pointing at one key of the same account and Region. */
record KmsAlias(String name, String targetKeyId, Instant createdAt, Instant updatedAt) {}
