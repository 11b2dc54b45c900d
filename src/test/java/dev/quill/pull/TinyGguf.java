package dev.quill.pull;

import dev.quill.gguf.GgufWriter;
import dev.quill.gguf.MetadataValue;
import dev.quill.tensor.GgmlType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/** A small but real GGUF file (a few hundred kB, so it arrives in many chunks) to serve from the stand-in hub. */
public final class TinyGguf {
    private static byte[] bytes;

    private TinyGguf() {
    }

    public static synchronized byte[] bytes() {
        if (bytes == null) {
            try {
                Path tmp = Files.createTempFile("tiny", ".gguf");
                try {
                    byte[] weights = new byte[4 * 100_000];
                    new Random(42).nextBytes(weights);
                    new GgufWriter()
                            .put("general.architecture", MetadataValue.string("llama"))
                            .put("general.name", MetadataValue.string("Tiny Test"))
                            .addTensor("token_embd.weight", GgmlType.F32, new long[] {1000, 100}, weights)
                            .write(tmp);
                    bytes = Files.readAllBytes(tmp);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bytes.clone();
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
