package dev.deltasync.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keygen's files, their permissions, the fingerprint format, and loading them back. */
class IdentityTest {
    @TempDir
    Path dir;

    @Test
    void generateWritesPemFilesWithAPrivateKeyOnlyTheOwnerCanRead() throws IOException {
        Path identityDir = dir.resolve("nested/identity");
        Identity identity = Identity.generate(identityDir, false);
        Path key = identityDir.resolve(Identity.KEY_FILE);
        Path cert = identityDir.resolve(Identity.CERT_FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(identityDir)));
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertTrue(Files.readString(cert).startsWith("-----BEGIN CERTIFICATE-----\n"));
        assertEquals(List.of(), Files.list(identityDir).filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());

        Identity loaded = Identity.load(identityDir);
        assertEquals(identity.fingerprint(), loaded.fingerprint());
        assertEquals("EC", loaded.key().getAlgorithm());
    }

    @Test
    void generateRefusesToOverwriteUnlessForced() throws IOException {
        Identity first = Identity.generate(dir, false);
        assertThrows(FileAlreadyExistsException.class, () -> Identity.generate(dir, false));
        assertEquals(first.fingerprint(), Identity.load(dir).fingerprint());
        Identity second = Identity.generate(dir, true);
        assertNotEquals(first.fingerprint(), second.fingerprint());
        assertEquals(second.fingerprint(), Identity.load(dir).fingerprint());
        assertEquals("rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(Identity.KEY_FILE))));
    }

    @Test
    void aKeyFromAnotherIdentityIsRefused() throws IOException {
        Identity.generate(dir.resolve("a"), false);
        Identity.generate(dir.resolve("b"), false);
        Files.copy(dir.resolve("b/key.pem"), dir.resolve("a/key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        IOException e = assertThrows(IOException.class, () -> Identity.load(dir.resolve("a")));
        assertTrue(e.getMessage().contains("does not belong to the certificate"), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> Identity.load(dir.resolve("none")));
        assertTrue(missing.getMessage().contains("deltasync keygen"), missing.getMessage());
    }

    @Test
    void fingerprintIsSha256OfTheDerCertificateInOneCanonicalForm() throws Exception {
        Identity identity = Identity.newSelfSigned();
        String text = identity.fingerprint().toString();
        assertTrue(text.matches("SHA256:[0-9a-f]{64}"), text);
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(identity.certificate().getEncoded());
        assertEquals("SHA256:" + java.util.HexFormat.of().formatHex(digest), text);
        assertEquals(identity.fingerprint(), Fingerprint.parse(text.toUpperCase().replace("SHA256:", "sha256:")));
        for (String bad : List.of("", "SHA256:", text.substring(7), text + "0", text.substring(0, 70) + "g",
                "MD5:" + text.substring(7))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fingerprint.parse(bad), bad);
            assertTrue(e.getMessage().contains("SHA256: and 64 hex digits"), e.getMessage());
        }
        assertTrue(Fingerprint.isAmong(identity.fingerprint(), Set.of(Identity.newSelfSigned().fingerprint(),
                Fingerprint.parse(text))));
        assertFalse(Fingerprint.isAmong(identity.fingerprint(), Set.of(Identity.newSelfSigned().fingerprint())));
    }
}
