package dev.shunt.backend.kms.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA224Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * HMACs equal to those of two implementations that share no code with the JDK's: Bouncy Castle's
 * HMac and OpenSSL's {@code openssl mac}, given the key bytes (which only this level can see:
 * over the API the key never leaves KMS).
 */
class HmacFamilyTest {
  private final HmacFamily family = HmacFamily.INSTANCE;
  private final byte[] message = "GET /orders/42 2024-05-01T00:00:00Z".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  @ParameterizedTest
  @CsvSource({"HMAC_224, HMAC_SHA_224, 28", "HMAC_256, HMAC_SHA_256, 32", "HMAC_384, HMAC_SHA_384, 48",
      "HMAC_512, HMAC_SHA_512, 64"})
  void theMacIsTheRfc2104HmacOfTheKeysDigest(String spec, String algorithm, int length) {
    PrivateMaterial key = family.generate(spec);
    assertThat(key.encoded()).hasSize(length);
    byte[] mac = family.mac(key, algorithm, message);
    assertThat(mac).hasSize(length).isEqualTo(bouncyCastleHmac(spec, key.encoded(), message));
    assertThat(family.mac(key, algorithm, message)).as("deterministic").isEqualTo(mac);
    assertThat(family.mac(family.generate(spec), algorithm, message)).isNotEqualTo(mac);
  }

  /** AWS imports HMAC keys from the digest's length to the digest's block size; a long key still MACs per RFC 2104. */
  @ParameterizedTest
  @CsvSource({"HMAC_224, HMAC_SHA_224, 28, 64", "HMAC_256, HMAC_SHA_256, 32, 64", "HMAC_384, HMAC_SHA_384, 48, 128",
      "HMAC_512, HMAC_SHA_512, 64, 128"})
  void importedKeysRangeFromTheDigestLengthToTheBlockSize(String spec, String algorithm, int shortest, int longest) {
    for (int length : new int[] {shortest, longest}) {
      byte[] raw = new byte[length];
      for (int i = 0; i < length; i++) {
        raw[i] = (byte) (i * 7 + 1);
      }
      PrivateMaterial key = family.decode(spec, raw);
      assertThat(key.encoded()).isEqualTo(raw);
      assertThat(family.mac(key, algorithm, message)).isEqualTo(bouncyCastleHmac(spec, raw, message));
    }
    assertThatThrownBy(() -> family.decode(spec, new byte[shortest - 1])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> family.decode(spec, new byte[longest + 1])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aThreadsMacIsReKeyedOnEveryCall() {
    PrivateMaterial first = family.generate("HMAC_256");
    PrivateMaterial second = family.generate("HMAC_256");
    byte[] firstMac = family.mac(first, "HMAC_SHA_256", message);
    assertThat(family.mac(second, "HMAC_SHA_256", message)).isEqualTo(bouncyCastleHmac("HMAC_256",
        second.encoded(), message));
    assertThat(family.mac(first, "HMAC_SHA_256", message)).isEqualTo(firstMac);
  }

  @ParameterizedTest
  @CsvSource({"HMAC_224, SHA224", "HMAC_256, SHA256", "HMAC_384, SHA384", "HMAC_512, SHA512"})
  void openSslComputesTheSameMac(String spec, String digest) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "no /usr/bin/openssl on this machine");
    PrivateMaterial key = family.generate(spec);
    Path messageFile = Files.write(dir.resolve("msg"), message);
    Process process = new ProcessBuilder("/usr/bin/openssl", "mac", "-digest", digest, "-macopt",
        "hexkey:" + HexFormat.of().formatHex(key.encoded()), "-in", messageFile.toString(), "HMAC")
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    assertThat(process.waitFor()).as(output).isZero();
    assertThat(output).isEqualToIgnoringCase(HexFormat.of().formatHex(family.mac(key, "HMAC_SHA_" + digest
        .substring(3), message)));
  }

  private static byte[] bouncyCastleHmac(String spec, byte[] key, byte[] message) {
    Digest digest = switch (spec) {
      case "HMAC_224" -> new SHA224Digest();
      case "HMAC_256" -> new SHA256Digest();
      case "HMAC_384" -> new SHA384Digest();
      default -> new SHA512Digest();
    };
    HMac hmac = new HMac(digest);
    hmac.init(new KeyParameter(key));
    hmac.update(message, 0, message.length);
    byte[] out = new byte[hmac.getMacSize()];
    hmac.doFinal(out, 0);
    return out;
  }
}
