package dev.quill.sampling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Slow, obviously-correct versions of the truncation chain and softmax, written independently of
 * {@link Sampler} (full sorts, doubles, {@link Math#exp}) to check its results against.
 */
final class ReferenceSampling {
    private ReferenceSampling() {
    }

    /** Token ids best first: higher logit, then lower id. */
    static List<Integer> ranked(float[] logits) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < logits.length; i++) {
            ids.add(i);
        }
        ids.sort(Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i));
        return ids;
    }

    /**
     * The tokens llama.cpp's chain top-k → top-p → min-p keeps, each step on the temperature-1
     * softmax over what the previous step left, mapped to their probability after temperature.
     */
    static Map<Integer, Double> keptDistribution(float[] logits, SamplingParams p) {
        List<Integer> kept = ranked(logits);
        if (p.topK() > 0 && p.topK() < kept.size()) {
            kept = new ArrayList<>(kept.subList(0, p.topK()));
        }
        double max = logits[kept.get(0)];
        if (p.topP() < 1f) {
            double z = 0;
            for (int id : kept) {
                z += Math.exp(logits[id] - max);
            }
            double cumulative = 0;
            int cut = kept.size();
            for (int i = 0; i < kept.size(); i++) {
                cumulative += Math.exp(logits[kept.get(i)] - max) / z;
                if (cumulative >= p.topP()) {
                    cut = i + 1;
                    break;
                }
            }
            kept = new ArrayList<>(kept.subList(0, cut));
        }
        if (p.minP() > 0f) {
            double pMax = 1; // exp(max - max), relative to which min-p is defined
            kept.removeIf(id -> Math.exp(logits[id] - max) < p.minP() * pMax);
        }
        Map<Integer, Double> distribution = new LinkedHashMap<>();
        double z = 0;
        for (int id : kept) {
            z += Math.exp((logits[id] - max) / p.temperature());
        }
        for (int id : kept) {
            distribution.put(id, Math.exp((logits[id] - max) / p.temperature()) / z);
        }
        return distribution;
    }

    /** log-softmax in double. */
    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double z = 0;
        for (float l : logits) {
            z += Math.exp(l - max);
        }
        double logZ = max + Math.log(z);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - logZ;
        }
        return out;
    }
}
