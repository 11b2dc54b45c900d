package dev.quill.gguf;

import dev.quill.tensor.GgmlType;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a GGUF file's header as the text of {@code quill inspect FILE}. */
public final class GgufInspector {
    /** Array elements shown before "... N more". */
    static final int MAX_ARRAY_ITEMS = 8;

    private GgufInspector() {
    }

    /** Header facts, every metadata key with its type and value, the tensor table and a size summary. */
    public static String describe(GgufFile file) {
        StringBuilder out = new StringBuilder();
        List<TensorInfo> tensors = file.tensors();
        GgufMetadata metadata = file.metadata();

        out.append("GGUF file ").append(file.path()).append('\n');
        field(out, "version", String.valueOf(file.version()));
        field(out, "file size", file.fileSize() + " bytes (" + humanBytes(file.fileSize()) + ")");
        field(out, "alignment", String.valueOf(file.alignment()));
        field(out, "data offset", String.valueOf(file.dataOffset()));
        field(out, "tensors", String.valueOf(tensors.size()));
        field(out, "metadata keys", String.valueOf(metadata.keys().size()));

        out.append("\nMetadata:\n");
        int keyWidth = 3;
        for (String key : metadata.keys()) {
            keyWidth = Math.max(keyWidth, MetadataValue.escape(key).length());
        }
        int typeWidth = "array[float32]".length();
        row(out, new int[] {keyWidth, typeWidth}, "key", "type", "value");
        for (Map.Entry<String, MetadataValue> e : metadata.asMap().entrySet()) {
            MetadataValue v = e.getValue();
            // Keys and names come from the file: escaped so they cannot break lines or drive the terminal.
            row(out, new int[] {keyWidth, typeWidth}, MetadataValue.escape(e.getKey()), typeName(v), v.describe(MAX_ARRAY_ITEMS));
        }

        out.append("\nTensors:\n");
        String[][] rows = new String[tensors.size()][];
        int[] widths = {1, 4, 4, 5, 5, 11};
        String[] header = {"#", "name", "type", "shape", "bytes", "file offset"};
        for (int i = 0; i < tensors.size(); i++) {
            TensorInfo t = tensors.get(i);
            rows[i] = new String[] {String.valueOf(i), MetadataValue.escape(t.name()), t.type().name(), t.shape(), String.valueOf(t.byteSize()),
                    String.valueOf(file.dataOffset() + t.offset())};
            for (int c = 0; c < widths.length; c++) {
                widths[c] = Math.max(widths[c], rows[i][c].length());
            }
        }
        row(out, widths, header);
        for (String[] r : rows) {
            row(out, widths, r);
        }

        appendSummary(out, tensors);
        return out.toString();
    }

    private static void appendSummary(StringBuilder out, List<TensorInfo> tensors) {
        Map<GgmlType, long[]> byType = new EnumMap<>(GgmlType.class); // tensors, parameters, bytes
        long parameters = 0;
        long bytes = 0;
        for (TensorInfo t : tensors) {
            long[] totals = byType.computeIfAbsent(t.type(), k -> new long[3]);
            totals[0]++;
            totals[1] += t.elementCount();
            totals[2] += t.byteSize();
            parameters += t.elementCount();
            bytes += t.byteSize();
        }
        out.append("\nSummary:\n");
        field(out, "parameters", parameters + " (" + humanCount(parameters) + ")");
        field(out, "tensor bytes", bytes + " (" + humanBytes(bytes) + ")");
        field(out, "bits per weight", parameters == 0 ? "-" : String.format(Locale.ROOT, "%.2f", bytes * 8.0 / parameters));
        out.append("  by type:\n");
        int[] widths = {6, 7, 10, 5, 5, 4};
        String[][] rows = new String[byType.size()][];
        int i = 0;
        for (Map.Entry<GgmlType, long[]> e : byType.entrySet()) {
            long[] v = e.getValue();
            rows[i] = new String[] {e.getKey().name(), String.valueOf(v[0]), String.valueOf(v[1]), String.valueOf(v[2]),
                    String.format(Locale.ROOT, "%.1f%%", bytes == 0 ? 0.0 : 100.0 * v[2] / bytes),
                    String.format(Locale.ROOT, "%.2f", v[2] * 8.0 / v[1])};
            for (int c = 0; c < widths.length; c++) {
                widths[c] = Math.max(widths[c], rows[i][c].length());
            }
            i++;
        }
        out.append("  ");
        row(out, widths, "type", "tensors", "parameters", "bytes", "share", "bpw");
        for (String[] r : rows) {
            out.append("  ");
            row(out, widths, r);
        }
    }

    /** "uint32", "string", or "array[string]" / "array[array]" for arrays. */
    static String typeName(MetadataValue v) {
        String scalar = v.type().name().toLowerCase(Locale.ROOT);
        return v.type() == GgufValueType.ARRAY ? "array[" + v.elementType().name().toLowerCase(Locale.ROOT) + "]" : scalar;
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append("  ").append(name).append(':').append(" ".repeat(Math.max(1, 17 - name.length()))).append(value).append('\n');
    }

    /** Left-aligned columns of the given widths; the last cell is not padded. */
    private static void row(StringBuilder out, int[] widths, String... cells) {
        out.append("  ");
        for (int c = 0; c < cells.length; c++) {
            out.append(cells[c]);
            if (c < cells.length - 1) {
                out.append(" ".repeat(Math.max(0, widths[c] - cells[c].length()) + 2));
            }
        }
        out.append('\n');
    }

    static String humanBytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    static String humanCount(long n) {
        if (n < 1000) {
            return String.valueOf(n);
        }
        String[] units = {"K", "M", "B", "T"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f%s", v, units[u]);
    }
}
