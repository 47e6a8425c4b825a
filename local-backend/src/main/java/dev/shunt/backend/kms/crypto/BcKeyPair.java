package dev.shunt.backend.kms.crypto;

import java.io.IOException;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAPublicKeyParameters;

/**
 * Key-pair material held as Bouncy Castle's lightweight parameters (the specs the JDK lacks:
 * secp256k1, SM2, ML-DSA), with both DER encodings made once. No JCE provider is involved.
 */
public record BcKeyPair(AsymmetricKeyParameter privateKey, AsymmetricKeyParameter publicKey, byte[] encoded,
    byte[] publicKeyDer) implements PrivateMaterial {

  static BcKeyPair of(AsymmetricCipherKeyPair pair) {
    return of(pair.getPrivate(), pair.getPublic());
  }

  static BcKeyPair of(AsymmetricKeyParameter privateKey, AsymmetricKeyParameter publicKey) {
    try {
      // Post-quantum keys have factories of their own in Bouncy Castle.
      boolean pq = privateKey instanceof MLDSAPrivateKeyParameters;
      byte[] pkcs8 = pq ? org.bouncycastle.pqc.crypto.util.PrivateKeyInfoFactory.createPrivateKeyInfo(privateKey)
          .getEncoded() : PrivateKeyInfoFactory.createPrivateKeyInfo(privateKey).getEncoded();
      byte[] spki = publicKey instanceof MLDSAPublicKeyParameters
          ? org.bouncycastle.pqc.crypto.util.SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicKey)
              .getEncoded()
          : SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicKey).getEncoded();
      return new BcKeyPair(privateKey, publicKey, pkcs8, spki);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode a key", e);
    }
  }

  /** A PKCS#8 private key (EC on a named curve, Ed25519, ML-DSA) with its public key derived from it. */
  static BcKeyPair decode(byte[] pkcs8) {
    AsymmetricKeyParameter privateKey;
    try {
      privateKey = PrivateKeyFactory.createKey(pkcs8);
    } catch (IOException | RuntimeException classical) {
      try {
        privateKey = org.bouncycastle.pqc.crypto.util.PrivateKeyFactory.createKey(pkcs8);
      } catch (IOException | RuntimeException postQuantum) {
        throw new IllegalArgumentException("Not a PKCS#8 private key");
      }
    }
    AsymmetricKeyParameter publicKey;
    if (privateKey instanceof ECPrivateKeyParameters ec) {
      publicKey = new ECPublicKeyParameters(ec.getParameters().getG().multiply(ec.getD()).normalize(),
          ec.getParameters());
    } else if (privateKey instanceof Ed25519PrivateKeyParameters ed) {
      publicKey = ed.generatePublicKey();
    } else if (privateKey instanceof MLDSAPrivateKeyParameters mlDsa) {
      publicKey = mlDsa.getPublicKeyParameters();
    } else {
      throw new IllegalArgumentException("Not a key of this family");
    }
    return of(privateKey, publicKey);
  }

  @Override
  public String toString() {
    return "BcKeyPair[" + privateKey.getClass().getSimpleName() + "]";
  }
}
