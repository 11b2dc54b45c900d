package dev.quill.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** One prompt of a llama.cpp golden file in ../shared/conformance/logits. */
record GoldenCase(String model, String prompt, int[] tokens, int[][] topIds, float[][] topLogits, int[] greedy, byte[] greedyText) {

    static List<GoldenCase> read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        List<GoldenCase> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            int[] tokens = ints(c.get("tokens"));
            JsonNode positions = c.get("positions");
            int[][] ids = new int[positions.size()][];
            float[][] logits = new float[positions.size()][];
            for (int p = 0; p < positions.size(); p++) {
                JsonNode top = positions.get(p);
                ids[p] = new int[top.size()];
                logits[p] = new float[top.size()];
                for (int i = 0; i < top.size(); i++) {
                    ids[p][i] = top.get(i).get(0).asInt();
                    logits[p][i] = (float) top.get(i).get(1).asDouble();
                }
            }
            out.add(new GoldenCase(root.get("model").asText(), c.get("prompt").asText(), tokens, ids, logits,
                    ints(c.get("greedy")), HexFormat.of().parseHex(c.get("greedy_text_utf8_hex").asText())));
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @Override
    public String toString() {
        return model + ": " + (prompt.length() > 40 ? prompt.substring(0, 40) + "…" : prompt);
    }
}
