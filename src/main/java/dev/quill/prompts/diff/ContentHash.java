package dev.quill.prompts.diff;

import dev.quill.prompts.Persona;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.format.PromptFileWriter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Content hashes for versions: SHA-256 of the canonical file serialisation
 * ({@link PromptFileWriter}: fixed key order, empty fields left out, normalised bodies), as
 * {@code sha256:<64 hex digits>}. Equal templates hash equally; any change of content changes it.
 */
public final class ContentHash {
    private static final PromptFileWriter WRITER = new PromptFileWriter();

    private ContentHash() {
    }

    public static String of(PromptTemplate t) {
        return sha256(WRITER.write(t));
    }

    public static String of(Persona p) {
        return sha256(WRITER.write(p));
    }

    static String sha256(String canonical) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
