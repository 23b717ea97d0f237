package dev.deltasync.mux.tls;

import dev.deltasync.peer.Identity;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the one {@link Identity} on both ends of a handshake. Handing Netty the key and chain instead makes it
 * build a PKCS#12 key store whose entry it encrypts with PBKDF2, which took seconds of a cold JVM's CPU per run.
 */
final class IdentityKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "deltasync";

    private final PrivateKey key;
    private final X509Certificate[] chain;

    IdentityKeyManager(Identity identity) {
        this.key = identity.key();
        this.chain = identity.chain().toArray(X509Certificate[]::new);
    }

    /** The identity's alias when its key can serve {@code keyType} ("EC", "EC_RSA", "RSASSA-PSS", "EdDSA"...). */
    private String aliasFor(String keyType) {
        return keyType == null || family(keyType).equals(family(key.getAlgorithm())) ? ALIAS : null;
    }

    private static String family(String algorithm) {
        if (algorithm.startsWith("EC")) {
            return "EC";
        }
        if (algorithm.startsWith("RSA")) {
            return "RSA";
        }
        return algorithm.startsWith("Ed") ? "EdDSA" : algorithm;
    }

    private String aliasFor(String[] keyTypes) {
        if (keyTypes == null) {
            return ALIAS;
        }
        for (String keyType : keyTypes) {
            if (aliasFor(keyType) != null) {
                return ALIAS;
            }
        }
        return null;
    }

    private String[] aliasesFor(String keyType) {
        return aliasFor(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return aliasesFor(keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return aliasFor(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliasesFor(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }
}
