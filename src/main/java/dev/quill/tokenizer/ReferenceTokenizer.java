package dev.quill.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * OpenAI's tokenizers (tiktoken encodings), shipped with Quill so the inspector can set a model's
 * tokenizer beside the ones most people know. The encodings come from jtokkit, whose vocabularies
 * are inside its jar: nothing is downloaded. Each vocabulary is read on first use (under a second)
 * and then shared; instances are immutable and thread-safe.
 *
 * <p>Text is always encoded as ordinary text unless {@code parseSpecial} asks for the special
 * tokens ({@code <|endoftext|>} ...) to be recognised. There is no BOS; {@code <|endoftext|>} is
 * the end of generation.
 */
public final class ReferenceTokenizer implements Tokenizer {
    /** The shipped encodings. */
    public enum Kind {
        R50K("r50k_base", "GPT-2 / GPT-3 (r50k_base)", EncodingType.R50K_BASE, 50_257, List.of("gpt2", "gpt-2", "r50k")),
        CL100K("cl100k_base", "GPT-3.5 / GPT-4 (cl100k_base)", EncodingType.CL100K_BASE, 100_277, List.of("cl100k")),
        O200K("o200k_base", "GPT-4o (o200k_base)", EncodingType.O200K_BASE, 200_019, List.of("o200k"));

        private final String id;
        private final String label;
        private final EncodingType type;
        private final int vocabSize;
        private final List<String> aliases;

        Kind(String id, String label, EncodingType type, int vocabSize, List<String> aliases) {
            this.id = id;
            this.label = label;
            this.type = type;
            this.vocabSize = vocabSize;
            this.aliases = aliases;
        }

        /** tiktoken's name of the encoding, e.g. {@code cl100k_base}. */
        public String id() {
            return id;
        }

        /** Which models use it, for people choosing one. */
        public String label() {
            return label;
        }

        public List<String> aliases() {
            return aliases;
        }
    }

    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
    private static final Map<Kind, ReferenceTokenizer> CACHE = new EnumMap<>(Kind.class);
    private static final Pattern SPECIAL_TEXT = Pattern.compile("<\\|[A-Za-z0-9_]+\\|>");
    private static final byte[] EMPTY = new byte[0];

    private final Kind kind;
    private final Encoding encoding;
    /** Every id's bytes; null for the ids the encoding leaves unassigned (gaps before the special tokens). */
    private final byte[][] pieces;
    private final boolean[] special;
    /** The special tokens' texts and ids, longest text first. */
    private final List<Map.Entry<String, Integer>> specials;
    private final int endOfText;

    private ReferenceTokenizer(Kind kind) {
        this.kind = kind;
        this.encoding = REGISTRY.getEncoding(kind.type);
        this.pieces = new byte[kind.vocabSize][];
        this.special = new boolean[kind.vocabSize];
        List<Map.Entry<String, Integer>> found = new ArrayList<>();
        IntArrayList one = new IntArrayList(1);
        one.add(0);
        int eot = NO_TOKEN;
        for (int id = 0; id < kind.vocabSize; id++) {
            one.set(0, id);
            byte[] bytes;
            try {
                bytes = encoding.decodeBytes(one);
            } catch (RuntimeException unassigned) {
                // jtokkit throws for ids no token has; such ids decode to nothing here.
                continue;
            }
            pieces[id] = bytes;
            String text = new String(bytes, StandardCharsets.UTF_8);
            // A special token's text, typed as ordinary text, encodes to several tokens.
            if (SPECIAL_TEXT.matcher(text).matches() && encoding.countTokensOrdinary(text) > 1) {
                special[id] = true;
                found.add(Map.entry(text, id));
                if (text.equals("<|endoftext|>")) {
                    eot = id;
                }
            }
        }
        found.sort((a, b) -> Integer.compare(b.getKey().length(), a.getKey().length()));
        this.specials = List.copyOf(found);
        this.endOfText = eot;
    }

    /** The tokenizer of this encoding, read on first use. */
    public static ReferenceTokenizer of(Kind kind) {
        synchronized (CACHE) {
            return CACHE.computeIfAbsent(kind, ReferenceTokenizer::new);
        }
    }

    /** The encoding with this id or alias ({@code cl100k_base}, {@code gpt2} ...), ignoring case. */
    public static Optional<Kind> find(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(Kind.values()).filter(k -> k.id.equals(n) || k.aliases.contains(n)).findFirst();
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial, int[] literalRanges) {
        String clean = BaseTokenizer.replaceLoneSurrogates(Objects.requireNonNull(text, "text"));
        if (!parseSpecial) {
            return encoding.encodeOrdinary(clean).toArray();
        }
        IntArrayList out = new IntArrayList(clean.length() / 3 + 1);
        int from = 0;
        int at = 0;
        while (at < clean.length()) {
            Map.Entry<String, Integer> hit = specialAt(clean, at, literalRanges);
            if (hit == null) {
                at++;
                continue;
            }
            appendOrdinary(out, clean.substring(from, at));
            out.add(hit.getValue());
            at += hit.getKey().length();
            from = at;
        }
        appendOrdinary(out, clean.substring(from));
        return out.toArray();
    }

    private Map.Entry<String, Integer> specialAt(String text, int at, int[] literalRanges) {
        if (text.charAt(at) != '<' || insideLiteral(at, literalRanges)) {
            return null;
        }
        for (Map.Entry<String, Integer> s : specials) {
            if (text.startsWith(s.getKey(), at)) {
                return s;
            }
        }
        return null;
    }

    private static boolean insideLiteral(int at, int[] ranges) {
        if (ranges != null) {
            for (int i = 0; i + 1 < ranges.length; i += 2) {
                if (at >= ranges[i] && at < ranges[i + 1]) {
                    return true;
                }
            }
        }
        return false;
    }

    private void appendOrdinary(IntArrayList out, String text) {
        if (!text.isEmpty()) {
            IntArrayList ids = encoding.encodeOrdinary(text);
            for (int i = 0; i < ids.size(); i++) {
                out.add(ids.get(i));
            }
        }
    }

    @Override
    public String decode(int[] ids) {
        return join(ids, true);
    }

    @Override
    public String detokenize(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        // No BOS or EOS is ever added, so removeSpecial has nothing to remove.
        return join(ids, unparseSpecial);
    }

    private String join(int[] ids, boolean renderSpecial) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            out.writeBytes(shared(id, renderSpecial));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private byte[] shared(int id, boolean renderSpecial) {
        Objects.checkIndex(id, pieces.length);
        byte[] p = pieces[id];
        return p == null || (special[id] && !renderSpecial) ? EMPTY : p;
    }

    @Override
    public byte[] tokenBytes(int id, boolean renderSpecial) {
        byte[] p = shared(id, renderSpecial);
        return p.length == 0 ? EMPTY : p.clone();
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    /** GPT-2's convention: the bytes as printable characters ({@code Ġhello}); special tokens as their text. */
    @Override
    public String tokenText(int id) {
        Objects.checkIndex(id, pieces.length);
        byte[] p = pieces[id];
        if (p == null) {
            return "";
        }
        return special[id] ? new String(p, StandardCharsets.UTF_8) : ByteLevelEncoding.encode(p, 0, p.length);
    }

    @Override
    public TokenType tokenType(int id) {
        Objects.checkIndex(id, pieces.length);
        return pieces[id] == null ? TokenType.UNUSED : special[id] ? TokenType.CONTROL : TokenType.NORMAL;
    }

    @Override
    public int bos() {
        return NO_TOKEN;
    }

    @Override
    public int eos() {
        return endOfText;
    }

    @Override
    public int eot() {
        return NO_TOKEN;
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id == endOfText && id != NO_TOKEN;
    }

    @Override
    public boolean addBos() {
        return false;
    }

    @Override
    public boolean addEos() {
        return false;
    }

    /** Not a GGUF model name: these vocabularies come from tiktoken. */
    @Override
    public String model() {
        return "tiktoken";
    }

    @Override
    public String toString() {
        return "ReferenceTokenizer[" + kind.id + "]";
    }
}
