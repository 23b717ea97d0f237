package dev.deltasync.peer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This side's TLS identity: a private key and its certificate chain (leaf first), kept as PEM in a
 * directory: {@value #KEY_FILE} (PKCS#8, mode 0600) and {@value #CERT_FILE}. Peers know it by the
 * {@link Fingerprint} of the leaf certificate.
 */
public record Identity(PrivateKey key, List<X509Certificate> chain) {
    public static final String KEY_FILE = "key.pem";
    public static final String CERT_FILE = "cert.pem";
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    public Identity {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("an identity needs a certificate");
        }
    }

    public X509Certificate certificate() {
        return chain.getFirst();
    }

    public Fingerprint fingerprint() {
        return Fingerprint.of(certificate());
    }

    /** True when {@code dir} holds a key file (whether or not it is valid). */
    public static boolean existsIn(Path dir) {
        return Files.exists(dir.resolve(KEY_FILE));
    }

    /** The certificates of a PEM file, at least one: an identity's chain or the CAs of {@code --ca}. */
    static List<X509Certificate> readCertificates(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in)
                    .stream().map(c -> (X509Certificate) c).toList();
            if (certificates.isEmpty()) {
                throw new IOException(file + " holds no certificate");
            }
            return certificates;
        } catch (CertificateException e) {
            throw new IOException(file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    /**
     * Reads {@code dir/key.pem} and {@code dir/cert.pem}.
     *
     * @throws IOException with a message that names the file and what is wrong with it
     */
    public static Identity load(Path dir) throws IOException {
        Path keyFile = dir.resolve(KEY_FILE);
        Path certFile = dir.resolve(CERT_FILE);
        for (Path file : List.of(keyFile, certFile)) {
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(file + " does not exist (create an identity with: deltasync keygen " + dir + ")");
            }
        }
        List<X509Certificate> chain = readCertificates(certFile);
        PrivateKey key = readKey(keyFile);
        Identity identity = new Identity(key, chain);
        if (!belongTogether(key, identity.certificate())) {
            throw new IOException(keyFile + " does not belong to the certificate in " + certFile);
        }
        return identity;
    }

    /** Signs a test message with the key and verifies it with the certificate's public key. */
    private static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm(); // Ed25519, EdDSA
        };
        try {
            byte[] message = "deltasync identity check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static PrivateKey readKey(Path keyFile) throws IOException {
        String text = Files.readString(keyFile, StandardCharsets.US_ASCII);
        Matcher m = PEM_KEY.matcher(text);
        if (!m.find()) {
            throw new IOException(keyFile + " is not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY); convert one with:"
                    + " openssl pkcs8 -topk8 -nocrypt -in OLD -out " + keyFile);
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : List.of("EC", "Ed25519", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(keyFile + " holds a key that is neither EC, Ed25519 nor RSA");
    }

    /**
     * Creates a new identity: an EC P-256 key pair and a self-signed certificate (serverAuth and clientAuth,
     * no expiry), written to {@code dir}, which is created (mode 0700) when missing.
     *
     * @param force replace an existing identity; without it an existing file is an error
     * @throws FileAlreadyExistsException when {@code force} is false and either file exists
     */
    public static Identity generate(Path dir, boolean force) throws IOException {
        Path keyFile = dir.resolve(KEY_FILE);
        Path certFile = dir.resolve(CERT_FILE);
        if (!force) {
            for (Path file : List.of(keyFile, certFile)) {
                if (Files.exists(file)) {
                    throw new FileAlreadyExistsException(file.toString());
                }
            }
        }
        Identity identity = newSelfSigned();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, posix("rwx------"));
        }
        writeAtomically(keyFile, pem("PRIVATE KEY", identity.key().getEncoded()), "rw-------");
        try {
            writeAtomically(certFile, pem("CERTIFICATE", identity.certificate().getEncoded()), "rw-r--r--");
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
        return identity;
    }

    /** A fresh identity held only in memory (for throwaway use, e.g. the demo and tests). */
    public static Identity newSelfSigned() {
        return SelfSignedIdentity.create();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** Writes a temporary file created with {@code permissions} from the start, then renames it into place. */
    private static void writeAtomically(Path target, String text, String permissions) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp", posix(permissions));
        try {
            Files.writeString(temp, text, StandardCharsets.US_ASCII);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static FileAttribute<?>[] posix(String permissions) {
        Set<PosixFilePermission> set = PosixFilePermissions.fromString(permissions);
        return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(set)}
                : new FileAttribute<?>[0];
    }
}
