package dev.quill.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns generated token ids into text as they arrive. A character whose UTF-8 bytes are spread
 * over several tokens (byte-fallback tokens, or a byte-level BPE token ending mid-character) is
 * held back until its last byte arrives, so callers only ever see whole characters. Bytes that
 * can never become valid UTF-8 come out as U+FFFD; an incomplete character still pending at the
 * end comes out of {@link #flush()} as U+FFFD.
 *
 * <p>Buffers are reused, so a token costs little more than the returned string. Not thread-safe:
 * one instance per generation.
 */
public final class StreamingDetokenizer {
    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private boolean stripLeadingSpace;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    /** Bytes received but not yet decoded (write mode between calls). */
    private ByteBuffer pending = ByteBuffer.allocate(64);
    private CharBuffer decoded = CharBuffer.allocate(64);

    /** For generated text: control tokens give no text, nothing is stripped. */
    public StreamingDetokenizer(Tokenizer tokenizer) {
        this(tokenizer, false, false);
    }

    /**
     * @param renderSpecial     emit control and unknown tokens as their text (llama.cpp's
     *                          {@code special = true}) instead of nothing
     * @param stripLeadingSpace drop one leading space of the first token, as llama.cpp's
     *                          detokenizer does for SentencePiece text that starts a sequence
     *                          (the tokenizer prefixed that space); not for a continuation
     */
    public StreamingDetokenizer(Tokenizer tokenizer, boolean renderSpecial, boolean stripLeadingSpace) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
        this.stripLeadingSpace = stripLeadingSpace;
    }

    /** Adds one token; returns the text it completes, possibly empty. */
    public String accept(int id) {
        byte[] piece = tokenizer instanceof BaseTokenizer base
                ? base.sharedTokenBytes(id, renderSpecial)
                : tokenizer.tokenBytes(id, renderSpecial);
        int skip = 0;
        if (stripLeadingSpace) {
            skip = piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            stripLeadingSpace = false;
        }
        if (pending.remaining() < piece.length - skip) {
            ByteBuffer larger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + piece.length));
            pending.flip();
            larger.put(pending);
            pending = larger;
        }
        pending.put(piece, skip, piece.length - skip);
        return decodePending(false);
    }

    /** Ends the stream: returns whatever is still pending (an unfinished character as U+FFFD) and resets. */
    public String flush() {
        String rest = decodePending(true);
        decoder.reset();
        return rest;
    }

    private String decodePending(boolean endOfInput) {
        pending.flip();
        if (decoded.capacity() < pending.remaining() + 1) {
            decoded = CharBuffer.allocate(Math.max(decoded.capacity() * 2, pending.remaining() + 1));
        }
        decoded.clear();
        // without endOfInput the decoder leaves a trailing incomplete sequence in the buffer
        decoder.decode(pending, decoded, endOfInput);
        if (endOfInput) {
            decoder.flush(decoded);
        }
        pending.compact();
        decoded.flip();
        return decoded.length() == 0 ? "" : decoded.toString();
    }
}
