package dev.shunt.backend.kms.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;

/** Key-pair material held as the JDK's key objects (RSA, NIST ECC, Ed25519), with both encodings made once. */
public record JdkKeyPair(PrivateKey privateKey, PublicKey publicKey, byte[] encoded, byte[] publicKeyDer)
    implements PrivateMaterial {

  static JdkKeyPair of(KeyPair pair) {
    return new JdkKeyPair(pair.getPrivate(), pair.getPublic(), pair.getPrivate().getEncoded(),
        pair.getPublic().getEncoded());
  }

  /** A PKCS#8 private key of the JDK algorithm ("RSA", "EC", "Ed25519"), with its public key derived by {@code publicOf}. */
  static JdkKeyPair decode(String algorithm, byte[] pkcs8, PublicKeyDerivation publicOf) {
    try {
      PrivateKey privateKey = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      PublicKey publicKey = publicOf.derive(privateKey);
      return new JdkKeyPair(privateKey, publicKey, privateKey.getEncoded(), publicKey.getEncoded());
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException("Not a " + algorithm + " private key");
    }
  }

  /** How a family gets the public key of a private key the JDK parsed. */
  @FunctionalInterface
  interface PublicKeyDerivation {
    PublicKey derive(PrivateKey privateKey) throws GeneralSecurityException;
  }

  @Override
  public String toString() {
    return "JdkKeyPair[" + privateKey.getAlgorithm() + "]";
  }
}
