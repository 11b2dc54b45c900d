package dev.quill.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SamplingParamsTest {
    private static final int VOCAB = 1000;

    static Stream<Arguments> outOfRange() {
        return Stream.of(
                bad("temperature", "-0.1", b -> b.temperature(-0.1f)),
                bad("temperature", "2.5", b -> b.temperature(2.5f)),
                bad("temperature", "NaN", b -> b.temperature(Float.NaN)),
                bad("top_k", "-1", b -> b.topK(-1)),
                bad("top_p", "0.0", b -> b.topP(0f)),
                bad("top_p", "1.5", b -> b.topP(1.5f)),
                bad("min_p", "-0.1", b -> b.minP(-0.1f)),
                bad("min_p", "1.1", b -> b.minP(1.1f)),
                bad("repetition_penalty", "0.0", b -> b.repetitionPenalty(0f)),
                bad("repetition_penalty", "Infinity", b -> b.repetitionPenalty(Float.POSITIVE_INFINITY)),
                bad("presence_penalty", "2.5", b -> b.presencePenalty(2.5f)),
                bad("frequency_penalty", "-3.0", b -> b.frequencyPenalty(-3f)),
                bad("penalty_last_n", "-2", b -> b.penaltyLastN(-2)),
                bad("logit_bias", "1000", b -> b.logitBias(Map.of(VOCAB, 1f))),
                bad("logit_bias", "-1", b -> b.logitBias(Map.of(-1, 1f))),
                bad("logit_bias", "101", b -> b.logitBias(Map.of(5, 101f))),
                bad("logit_bias", "NaN", b -> b.logitBias(Map.of(5, Float.NaN))),
                bad("top_logprobs", "21", b -> b.logprobs(true).topLogprobs(21)),
                bad("top_logprobs", "-1", b -> b.logprobs(true).topLogprobs(-1)),
                bad("top_logprobs", "3", b -> b.logprobs(false).topLogprobs(3)));
    }

    private static Arguments bad(String parameter, String shownValue, UnaryOperator<SamplingParams.Builder> change) {
        return Arguments.of(parameter, shownValue, change);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("outOfRange")
    void validationNamesTheParameterItsValueAndTheRange(String parameter, String shownValue,
            UnaryOperator<SamplingParams.Builder> change) {
        SamplingParams params = change.apply(SamplingParams.builder()).build();
        InvalidSamplingParameterException e =
                assertThrows(InvalidSamplingParameterException.class, () -> params.validate(VOCAB));
        assertEquals(parameter, e.parameter());
        assertTrue(e.getMessage().startsWith(parameter + " must be "), e.getMessage());
        assertTrue(e.getMessage().contains(shownValue), e.getMessage());
        assertTrue(e.getMessage().contains(e.allowed()), e.getMessage());
        // The sampler refuses the same params.
        assertThrows(InvalidSamplingParameterException.class, () -> new Sampler(params, VOCAB));
    }

    @Test
    void boundaryValuesAreAcceptedAndSample() {
        SamplingParams params = SamplingParams.builder()
                .temperature(2f).topP(1f).minP(1f).topK(VOCAB + 5)
                .presencePenalty(-2f).frequencyPenalty(2f).repetitionPenalty(0.01f).penaltyLastN(-1)
                .logitBias(Map.of(VOCAB - 1, 100f, 0, -100f)).logprobs(true).topLogprobs(20).seed(1L)
                .build();
        Sampler sampler = new Sampler(params, VOCAB);
        // +100 on the last token and min_p = 1 leave it as the only candidate.
        assertEquals(VOCAB - 1, sampler.sample(new float[VOCAB], sampler.newHistory()));
        assertEquals(20, sampler.topLogprobCount());
    }

    @Test
    void nullLogitBiasEntriesAreRejectedByName() {
        Map<Integer, Float> withNull = new HashMap<>();
        withNull.put(3, null);
        InvalidSamplingParameterException e = assertThrows(InvalidSamplingParameterException.class,
                () -> SamplingParams.builder().logitBias(withNull).build());
        assertEquals("logit_bias", e.parameter());
    }

    @Test
    void logitBiasIsCopiedSoLaterChangesDoNotLeakIn() {
        Map<Integer, Float> bias = new HashMap<>(Map.of(1, 5f));
        SamplingParams params = SamplingParams.builder().logitBias(bias).build();
        bias.put(2, 7f);
        assertEquals(Map.of(1, 5f), params.logitBias());
        assertEquals(Map.of(), SamplingParams.builder().logitBias(null).build().logitBias());
    }

    @Test
    void defaultsAreLlamaCppsAndToBuilderRoundTrips() {
        SamplingParams d = SamplingParams.defaults();
        assertEquals(0.8f, d.temperature());
        assertEquals(40, d.topK());
        assertEquals(0.95f, d.topP());
        assertEquals(0.05f, d.minP());
        assertEquals(64, d.penaltyLastN());
        assertEquals(false, d.penaltiesEnabled());
        SamplingParams custom = d.toBuilder().seed(3L).presencePenalty(0.5f).logitBias(Map.of(1, 2f)).build();
        assertEquals(custom, custom.toBuilder().build());
        assertTrue(custom.penaltiesEnabled());
    }
}
