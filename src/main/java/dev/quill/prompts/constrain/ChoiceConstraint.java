package dev.quill.prompts.constrain;

import dev.quill.sampling.TokenConstraint;
import dev.quill.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Constrained decoding to a fixed set of answers: step by step, the token ids the model may produce
 * next so that its output can only be one of the allowed answers, followed by the end of text.
 *
 * <p>A trie over the tokenization of each answer, as the tokenizer writes it and (by default) with a
 * leading space, since after "Answer:" a model usually continues with " Yes". Where an answer is
 * complete, the end-of-generation tokens (EOS, EOT) are allowed as well; where it is also the
 * prefix of a longer answer ("No" / "None"), both. Only the tokenizer's own segmentation of each
 * answer is allowed, which is what the model saw in training.
 *
 * <p>Immutable and thread-safe; each generation walks it with its own {@link Cursor}.
 */
public final class ChoiceConstraint implements TokenConstraint {
    private static final class Node {
        final TreeMap<Integer, Node> children = new TreeMap<>();
        String answer;
        int[] allowed;
    }

    private static final int[] NOTHING = new int[0];

    private final Tokenizer tokenizer;
    private final List<String> answers;
    private final Node root = new Node();
    private final int[] endTokens;
    private int longestAnswerTokens;

    private ChoiceConstraint(Tokenizer tokenizer, List<String> answers, boolean leadingSpaceVariants) {
        if (answers.isEmpty()) {
            throw new IllegalArgumentException("a choice constraint needs at least one allowed answer");
        }
        this.tokenizer = tokenizer;
        this.answers = List.copyOf(answers);
        Set<Integer> ends = new LinkedHashSet<>();
        for (int t : new int[] {tokenizer.eos(), tokenizer.eot()}) {
            if (t != Tokenizer.NO_TOKEN) {
                ends.add(t);
            }
        }
        if (ends.isEmpty()) {
            throw new IllegalArgumentException("the tokenizer has no end-of-text token, so a complete answer cannot end");
        }
        this.endTokens = ends.stream().mapToInt(Integer::intValue).sorted().toArray();
        for (String a : answers) {
            if (a.isEmpty()) {
                throw new IllegalArgumentException("allowed answers must not be empty");
            }
            insert(tokenizer.encode(a, false, false), a);
            if (leadingSpaceVariants && !a.startsWith(" ")) {
                insert(tokenizer.encode(" " + a, false, false), a);
            }
        }
        freeze(root);
    }

    /** The constraint for these answers, each also allowed with a leading space. */
    public static ChoiceConstraint of(Tokenizer tokenizer, List<String> answers) {
        return new ChoiceConstraint(tokenizer, answers, true);
    }

    /** As {@link #of}, choosing whether the leading-space variants are allowed. */
    public static ChoiceConstraint of(Tokenizer tokenizer, List<String> answers, boolean leadingSpaceVariants) {
        return new ChoiceConstraint(tokenizer, answers, leadingSpaceVariants);
    }

    private void insert(int[] tokens, String answer) {
        longestAnswerTokens = Math.max(longestAnswerTokens, tokens.length);
        Node n = root;
        for (int t : tokens) {
            n = n.children.computeIfAbsent(t, k -> new Node());
        }
        n.answer = answer;
    }

    private void freeze(Node n) {
        Set<Integer> allowed = new java.util.TreeSet<>(n.children.keySet());
        if (n.answer != null) {
            for (int e : endTokens) {
                allowed.add(e);
            }
        }
        n.allowed = allowed.stream().mapToInt(Integer::intValue).toArray();
        for (Node c : n.children.values()) {
            freeze(c);
        }
    }

    public List<String> answers() {
        return answers;
    }

    /**
     * The most tokens a generation under this constraint can take: the longest answer's tokens plus
     * the end token. A max_tokens below it could cut an answer short, leaving a prefix of one.
     */
    public int maxTokens() {
        return longestAnswerTokens + 1;
    }

    /** The token ids that end a complete answer. */
    public int[] endTokens() {
        return endTokens.clone();
    }

    @Override
    public Cursor start() {
        return new Cursor();
    }

    /** The position of one generation in the trie. Not thread-safe. */
    public final class Cursor implements TokenConstraint.State {
        private Node node = root;
        private boolean finished;
        private final List<Integer> tokens = new ArrayList<>();

        /** Sorted token ids allowed next; empty once an end token was accepted. */
        public int[] allowedTokens() {
            return finished ? new int[0] : node.allowed.clone();
        }

        public boolean isAllowed(int token) {
            return !finished && Arrays.binarySearch(node.allowed, token) >= 0;
        }

        /**
         * Moves past a token.
         *
         * @throws IllegalArgumentException when the token is not allowed here
         */
        @Override
        public void accept(int token) {
            if (!isAllowed(token)) {
                throw new IllegalArgumentException("token " + token + " (" + tokenizer.tokenText(token)
                        + ") cannot continue any allowed answer " + answers + " after " + tokens);
            }
            tokens.add(token);
            if (Arrays.binarySearch(endTokens, token) >= 0 && !node.children.containsKey(token)) {
                finished = true;
            } else {
                node = node.children.get(token);
            }
        }

        /** Whether the tokens so far spell a whole answer (it may still go on to a longer one). */
        public boolean isComplete() {
            return finished || node.answer != null;
        }

        /** Whether an end token was accepted: generation is over. */
        @Override
        public boolean isFinished() {
            return finished;
        }

        /** The answer spelled so far, when complete. */
        public Optional<String> answer() {
            return isComplete() ? Optional.of(node.answer) : Optional.empty();
        }

        /** Sets every logit not allowed next to negative infinity, so any sampler can only pick an allowed token. */
        @Override
        public void maskLogits(float[] logits) {
            int[] allowed = finished ? NOTHING : node.allowed;
            int next = 0;
            for (int i = 0; i < logits.length; i++) {
                if (next < allowed.length && allowed[next] == i) {
                    next++;
                } else {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }

        public List<Integer> tokens() {
            return List.copyOf(tokens);
        }
    }

    /** Every token path the constraint allows, each ending in an end token, with the answer it spells. For tests and the UI. */
    public Map<List<Integer>, String> paths() {
        Map<List<Integer>, String> out = new java.util.LinkedHashMap<>();
        collect(root, new ArrayList<>(), out);
        return out;
    }

    private void collect(Node n, List<Integer> prefix, Map<List<Integer>, String> out) {
        if (n.answer != null) {
            List<Integer> p = new ArrayList<>(prefix);
            p.add(endTokens[0]);
            out.put(List.copyOf(p), n.answer);
        }
        for (Map.Entry<Integer, Node> e : n.children.entrySet()) {
            prefix.add(e.getKey());
            collect(e.getValue(), prefix, out);
            prefix.removeLast();
        }
    }
}
