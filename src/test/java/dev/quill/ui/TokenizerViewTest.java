package dev.quill.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.quill.server.TestHttp;
import dev.quill.testutil.SharedData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The tokenizer inspector in headless Chromium: the ids it shows for known strings match the
 * tokenizer conformance data (llama.cpp's GPT-2 vectors for r50k, the OpenAI cookbook's cl100k
 * example, llama.cpp's prompt tokens for stories260K, and the vocabulary files when the server
 * offers them), whitespace and byte tokens are visible, and the Numbers preset explains itself.
 */
@QuarkusTest
@TestProfile(UiTestProfile.class)
class TokenizerViewTest extends BrowserTestSupport {

    @BeforeEach
    void freshInspector() {
        open("tokenizer");
        js("localStorage.clear()");
        open("tokenizer");
        find("#tok-picker input[type=checkbox]");
    }

    /** Ticks exactly these tokenizers in the picker. */
    private void choose(List<String> ids) {
        for (WebElement box : driver.findElements(By.cssSelector("#tok-picker input[type=checkbox]"))) {
            boolean wanted = ids.contains(box.getAttribute("value"));
            if (box.isSelected() != wanted) {
                box.click();
            }
        }
    }

    /** Types the text (as a paste would) and waits until every column has answered for it. */
    private void enter(String text) {
        // Marked busy here, so the wait below cannot pass on the results of the previous text
        // before the view has even started on this one (its input handler is debounced).
        js("const t = document.getElementById('tok-input'); document.getElementById('tok-results').dataset.busy = 'true';"
                + " t.value = arguments[0]; t.dispatchEvent(new Event('input', {bubbles: true}));", text);
        waitUntil(d -> "false".equals(find("#tok-results").getAttribute("data-busy")));
    }

    /** The ids the column of this tokenizer shows, read from its token spans. */
    private List<Integer> shownIds(String tokenizer) {
        @SuppressWarnings("unchecked")
        List<Object> ids = (List<Object>) js("return [...document.querySelectorAll("
                + "'.tok-col[data-tokenizer=\"' + arguments[0] + '\"] .tok')].map(s => Number(s.dataset.id))", tokenizer);
        return ids.stream().map(o -> ((Number) o).intValue()).toList();
    }

    private List<String> shownTexts(String tokenizer) {
        @SuppressWarnings("unchecked")
        List<String> texts = (List<String>) js("return [...document.querySelectorAll("
                + "'.tok-col[data-tokenizer=\"' + arguments[0] + '\"] .tok .tok-text')].map(s => s.textContent)", tokenizer);
        return texts;
    }

    private static List<Integer> ids(String line) {
        String l = line.strip();
        return l.isEmpty() ? List.of() : Arrays.stream(l.split(" ")).map(Integer::valueOf).toList();
    }

    @Test
    void showsTheExpectedIdsForKnownStringsInEachTokenizer() throws IOException {
        // string -> tokenizer -> expected ids, from data made outside Quill
        Map<String, Map<String, List<Integer>>> expected = new LinkedHashMap<>();
        expected.computeIfAbsent("tiktoken is great!", k -> new LinkedHashMap<>())
                .put("cl100k_base", List.of(83, 1609, 5963, 374, 2294, 0)); // the OpenAI cookbook's example
        JsonNode golden = TestHttp.json(Files.readString(SharedData.require("conformance/logits/stories260K.golden.json")));
        for (JsonNode c : golden.get("cases")) {
            List<Integer> tokens = new ArrayList<>();
            c.get("tokens").forEach(t -> tokens.add(t.asInt()));
            // llama.cpp's prompt tokens start with BOS; the inspector shows the text's own tokens
            expected.computeIfAbsent(c.get("prompt").asText(), k -> new LinkedHashMap<>())
                    .put(UiTestProfile.MODEL, tokens.subList(1, tokens.size()));
        }
        List<String> offered = new ArrayList<>();
        TestHttp.json(http.get("/api/tokenizers").body()).get("data").forEach(t -> offered.add(t.get("id").asText()));
        Map<String, String> vectors = new LinkedHashMap<>();
        vectors.put("r50k_base", "gpt-2"); // GPT-2's vocabulary is r50k
        for (String vocab : List.of("gpt-2", "llama3", "llama-spm")) {
            if (offered.contains("ggml-vocab-" + vocab)) {
                vectors.put("ggml-vocab-" + vocab, vocab);
            }
        }
        for (var v : vectors.entrySet()) {
            Path gguf = SharedData.require("conformance/tokenizer/ggml-vocab-" + v.getValue() + ".gguf");
            List<String> inputs = SharedData.splitTokenizerInputs(Files.readString(Path.of(gguf + ".inp"), StandardCharsets.UTF_8));
            List<String> outputs = Files.readAllLines(Path.of(gguf + ".out"), StandardCharsets.UTF_8);
            for (int i = 0; i < inputs.size(); i++) {
                if (!inputs.get(i).isEmpty()) {
                    expected.computeIfAbsent(inputs.get(i), k -> new LinkedHashMap<>()).put(v.getKey(), ids(outputs.get(i)));
                }
            }
        }
        List<String> columns = expected.values().stream().flatMap(m -> m.keySet().stream()).distinct().toList();
        choose(columns);
        int checked = 0;
        for (var e : expected.entrySet()) {
            enter(e.getKey());
            for (var want : e.getValue().entrySet()) {
                assertEquals(want.getValue(), shownIds(want.getKey()), want.getKey() + " on " + visibleText(e.getKey()));
                checked++;
            }
        }
        assertTrue(checked >= 20, "checked " + checked + " strings");
        assertNoConsoleErrors();
        assertAllRequestsLocal();
    }

    @Test
    void numbersPresetShowsHowEachTokenizerSplitsDigitsAndWhy() {
        choose(List.of(UiTestProfile.MODEL, "r50k_base", "cl100k_base", "o200k_base"));
        find("button[data-preset=numbers]").click();
        waitUntil(d -> "false".equals(find("#tok-results").getAttribute("data-busy")));
        WebElement explain = find("#tok-explain");
        assertTrue(explain.isDisplayed());
        assertTrue(explain.getText().contains("arithmetic"), explain.getText());
        // the first line, 1234567890, as each tokenizer splits it (the brief's facts)
        assertEquals(List.of("123", "45", "678", "90"), shownTexts("r50k_base").subList(0, 4));
        assertEquals(List.of("123", "456", "789", "0"), shownTexts("cl100k_base").subList(0, 4));
        assertEquals(List.of("123", "456", "789", "0"), shownTexts("o200k_base").subList(0, 4));
        // SentencePiece: a leading space marker, then single digits
        List<String> spm = shownTexts(UiTestProfile.MODEL);
        assertEquals("·", spm.get(0));
        assertEquals(List.of("1", "2", "3", "4"), spm.subList(1, 5));
        screenshot("tokenizer");
        assertNoConsoleErrors();
    }

    @Test
    void whitespaceAndBytesAreVisibleAndCountsAgreeWithTheApi() {
        choose(List.of(UiTestProfile.MODEL, "r50k_base"));
        String text = "a  b\tc\n×🦙";
        enter(text);
        String joined = String.join("", shownTexts("r50k_base"));
        assertTrue(joined.contains("·") && joined.contains("→") && joined.contains("↵"), joined);
        // stories260K has no "×": SentencePiece falls back to its UTF-8 bytes, shown as hex
        List<String> spm = shownTexts(UiTestProfile.MODEL);
        assertTrue(spm.contains("<C3>") && spm.contains("<97>"), spm.toString());
        assertFalse(driver.findElements(By.cssSelector(".tok-col[data-tokenizer='r50k_base'] .tok.bytes")).isEmpty(),
                "the emoji's pieces are shown as bytes");
        JsonNode api = TestHttp.json(http.post("/api/tokenize", JsonNodeFactory.instance.objectNode()
                .put("tokenizer", "r50k_base").put("content", text).put("add_special", false).toString()).body());
        String badge = find(".tok-col[data-tokenizer='r50k_base'] .tok-count").getText();
        assertEquals(api.get("token_count").asInt() + " tokens", badge);
        List<Integer> apiIds = new ArrayList<>();
        api.get("ids").forEach(i -> apiIds.add(i.asInt()));
        assertEquals(apiIds, shownIds("r50k_base"));
        // ids inline
        find("#tok-inline").click();
        waitUntil(d -> !d.findElements(By.cssSelector(".tok-col[data-tokenizer='r50k_base'] .tok-id")).isEmpty());
        assertEquals(apiIds.stream().map(String::valueOf).collect(Collectors.toList()), driver.findElements(
                By.cssSelector(".tok-col[data-tokenizer='r50k_base'] .tok-id")).stream().map(WebElement::getText).toList());
        assertNoConsoleErrors();
    }

    @Test
    void aServerErrorIsShownInlineInItsColumn() {
        choose(List.of("cl100k_base"));
        // longer than the server's limit for one text (quill.tokenize-max-chars, 100,000 by default)
        js("const t = document.getElementById('tok-input'); t.value = '7'.repeat(100001);"
                + " t.dispatchEvent(new Event('input', {bubbles: true}));");
        WebElement error = find(".tok-col[data-tokenizer='cl100k_base'] .error-box");
        assertTrue(error.getText().contains("413") && error.getText().contains("quill.tokenize-max-chars"), error.getText());
        enter("back to normal");
        assertEquals(3, shownIds("cl100k_base").size());
        consoleErrors(); // the refused request is logged by the browser as a failed resource; expected here
    }

    private static String visibleText(String s) {
        return '"' + s.replace("\n", "\\n").replace("\t", "\\t") + '"';
    }
}
