package dev.quill.engine;

import dev.quill.gguf.GgufFile;
import dev.quill.gguf.GgufMetadata;
import dev.quill.gguf.TensorInfo;
import dev.quill.tensor.GgmlType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * What a user wants to know about a model file before choosing it, read from its GGUF header
 * without loading the weights.
 *
 * @param weightType llama.cpp's name of the file type ({@code Q4_K_M}, {@code F16}, ...), or the
 *     weight type holding most of the bytes when the file does not say
 * @param trainedContextLength the context the model was trained for; 0 when unknown
 * @param error why the header could not be read, or null: such a file is still listed, and
 *     loading it gives this error
 */
public record ModelInfo(
        Path path,
        long fileSize,
        String name,
        String architecture,
        String weightType,
        long parameterCount,
        int trainedContextLength,
        boolean hasChatTemplate,
        String error) {

    /** Reads the header of {@code path}; a file that cannot be read gives an info with {@link #error()} set. */
    public static ModelInfo read(Path path) {
        long size = 0;
        try {
            size = java.nio.file.Files.size(path);
        } catch (IOException e) {
            return failed(path, 0, "cannot read " + path + ": " + e.getMessage());
        }
        try (GgufFile file = GgufFile.open(path)) {
            GgufMetadata md = file.metadata();
            String arch = md.getString("general.architecture", "unknown");
            long params = 0;
            for (TensorInfo t : file.tensors()) {
                params += t.elementCount();
            }
            int context = 0;
            try {
                context = md.getInt(arch + ".context_length", 0);
            } catch (RuntimeException ignored) {
                // A malformed value only loses this field; loading reports it properly.
            }
            String template = md.contains("tokenizer.chat_template") ? md.getString("tokenizer.chat_template", null) : null;
            return new ModelInfo(path, size, md.getString("general.name", arch), arch, weightType(file), params, context,
                    template != null && !template.isBlank(), null);
        } catch (IOException | RuntimeException e) {
            return failed(path, size, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static ModelInfo failed(Path path, long size, String error) {
        return new ModelInfo(path, size, null, null, null, 0, 0, false, error);
    }

    /** llama.cpp's {@code general.file_type} names, which say how the file was quantized. */
    private static final Map<Integer, String> FILE_TYPES = Map.ofEntries(
            Map.entry(0, "F32"), Map.entry(1, "F16"), Map.entry(2, "Q4_0"), Map.entry(3, "Q4_1"),
            Map.entry(7, "Q8_0"), Map.entry(8, "Q5_0"), Map.entry(9, "Q5_1"), Map.entry(10, "Q2_K"),
            Map.entry(11, "Q3_K_S"), Map.entry(12, "Q3_K_M"), Map.entry(13, "Q3_K_L"), Map.entry(14, "Q4_K_S"),
            Map.entry(15, "Q4_K_M"), Map.entry(16, "Q5_K_S"), Map.entry(17, "Q5_K_M"), Map.entry(18, "Q6_K"),
            Map.entry(32, "BF16"));

    private static String weightType(GgufFile file) {
        GgufMetadata md = file.metadata();
        try {
            if (md.contains("general.file_type")) {
                String named = FILE_TYPES.get(md.getInt("general.file_type"));
                if (named != null) {
                    return named;
                }
            }
        } catch (RuntimeException ignored) {
            // Fall back to counting bytes below.
        }
        Map<GgmlType, Long> bytes = new EnumMap<>(GgmlType.class);
        for (TensorInfo t : file.tensors()) {
            if (t.dims().length >= 2) {
                bytes.merge(t.type(), t.byteSize(), Long::sum);
            }
        }
        return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(e -> e.getKey().name()).orElse("unknown");
    }
}
