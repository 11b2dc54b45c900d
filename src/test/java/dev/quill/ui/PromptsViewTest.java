package dev.quill.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.quill.server.TestHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The Prompts view in headless Chromium: saving makes a version that shows in the history and the
 * diff; a stale edit gets a 409 that shows what changed meanwhile; labels move; a one-click
 * rewrite fixes a linter finding; the preview renders variables with a token count; errors inline.
 */
@QuarkusTest
@TestProfile(UiTestProfile.class)
class PromptsViewTest extends BrowserTestSupport {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** A template of our own, so tests do not depend on each other or on the shipped library. */
    private String createPrompt(String body) {
        String name = "ui-test/greet-" + System.nanoTime() + "-" + COUNTER.incrementAndGet();
        var req = JsonNodeFactory.instance.objectNode().put("name", name).put("description", "Greets someone")
                .put("body", body).put("message", "first");
        req.putArray("variables").addObject().put("name", "who");
        HttpResponse<String> r = http.post("/api/prompts", req.toString());
        assertEquals(201, r.statusCode(), r.body());
        return name;
    }

    private void openPrompt(String name) {
        open("prompts/" + name);
        waitUntil(d -> {
            List<WebElement> h = d.findElements(By.cssSelector("#prompt-detail h2"));
            return !h.isEmpty() && h.get(0).getText().equals(name);
        });
    }

    /** Sets the editor's text as typing would (an input event, so the linter runs). */
    private void setEditor(String text) {
        js("const t = document.getElementById('prompt-editor'); t.value = arguments[0];"
                + " t.dispatchEvent(new Event('input', {bubbles: true}));", text);
    }

    /** Read in the page: the status element is rebuilt when the template reloads. */
    private String saveStatus() {
        return (String) js("const s = document.getElementById('prompt-save-status'); return s ? s.textContent : null");
    }

    private String editor() {
        return (String) js("return document.getElementById('prompt-editor').value");
    }

    @Test
    void savingCreatesAVersionVisibleInHistoryAndInTheDiff() {
        String name = createPrompt("Say hello to {who}.");
        openPrompt(name);
        setEditor(editor().replace("Say hello to {who}.", "Say hello to {who}.\nAnswer in one sentence."));
        find("#prompt-message").sendKeys("one sentence");
        find("#prompt-save").click();
        waitUntil(d -> "Saved as v2.".equals(saveStatus()));

        WebElement row = find("#prompt-history tr[data-version='2']");
        assertTrue(row.getText().contains("one sentence"), row.getText());
        // the diff of the two newest versions opens by itself: the added line on the right
        WebElement added = waitUntil(d -> d.findElements(By.cssSelector("#prompt-diff td.add")).stream()
                .filter(td -> td.getText().equals("Answer in one sentence.")).findFirst().orElse(null));
        assertTrue(added.isDisplayed());
        JsonNode versions = TestHttp.json(http.get("/api/prompts/" + name + "/versions").body());
        assertEquals(2, versions.get("data").size());
        assertEquals("one sentence", versions.get("data").get(1).get("message").asText());
        screenshot("prompts");
        assertNoConsoleErrors();
        assertAllRequestsLocal();
    }

    @Test
    void aStaleEditShowsWhatChangedMeanwhileAndCanBeSavedOnTop() {
        String name = createPrompt("Say hello to {who}.");
        openPrompt(name);
        // someone else saves version 2 while the page still edits version 1
        var other = JsonNodeFactory.instance.objectNode().put("base_version", 1).put("body", "Say goodbye to {who}.")
                .put("message", "theirs");
        other.putArray("variables").addObject().put("name", "who");
        assertEquals(201, http.post("/api/prompts/" + name + "/versions", other.toString()).statusCode());

        setEditor(editor().replace("Say hello to {who}.", "Say hello to {who}, warmly."));
        find("#prompt-save").click();
        WebElement conflict = find("#prompt-conflict .conflict");
        waitUntil(d -> conflict.getText().contains("Version 2"));
        assertTrue(conflict.getText().contains("409"), conflict.getText());
        consoleErrors(); // the browser logs the refused save (409) as a failed resource: expected here
        waitUntil(d -> d.findElements(By.cssSelector("#prompt-conflict td.add")).stream()
                .anyMatch(td -> td.getText().equals("Say goodbye to {who}.")));
        conflict.findElement(By.xpath(".//button[starts-with(normalize-space(.), 'Keep mine')]")).click();
        waitUntil(d -> "Saved as v3.".equals(saveStatus()));
        JsonNode latest = TestHttp.json(http.get("/api/prompts/" + name).body());
        assertEquals(3, latest.get("version").asInt());
        assertTrue(latest.get("content").asText().contains("Say hello to {who}, warmly."));
        assertNoConsoleErrors();
    }

    @Test
    void labelsMoveToAChosenVersion() {
        String name = createPrompt("Say hello to {who}.");
        var v2 = JsonNodeFactory.instance.objectNode().put("base_version", 1).put("body", "Greet {who}.");
        v2.putArray("variables").addObject().put("name", "who");
        http.post("/api/prompts/" + name + "/versions", v2.toString());
        openPrompt(name);
        WebElement label = find("#label-name");
        label.clear();
        label.sendKeys("production");
        find("#label-version option[value='1']").click();
        find("#label-move").click();
        waitUntil(d -> !d.findElements(By.cssSelector("#prompt-labels .badge[data-label='production']")).isEmpty());
        assertEquals("production → v1", find("#prompt-labels .badge[data-label='production']").getText());
        assertEquals(1, TestHttp.json(http.get("/api/prompts/" + name + "/versions").body()).at("/labels/production").asInt());
        assertTrue(find("#prompt-history tr[data-version='1']").getText().contains("production"));
    }

    @Test
    void aOneClickRewriteFixesALinterFinding() {
        String name = createPrompt("Write a poem about {who}. Don't create questions that are not answerable from the passage.");
        openPrompt(name);
        WebElement apply = waitUntil(d -> d.findElements(By.cssSelector("#prompt-lint .finding[data-rule='negative-statement'] .apply-rewrite"))
                .stream().findFirst().orElse(null));
        apply.click();
        waitUntil(d -> editor().contains("Create questions that are answerable from the passage."));
        assertFalse(editor().contains("Don't create"));
        waitUntil(d -> d.findElements(By.cssSelector("#prompt-lint .finding[data-rule='negative-statement']")).isEmpty());
        // advice is not offered as a rewrite
        for (WebElement f : driver.findElements(By.cssSelector("#prompt-lint .finding[data-rule='vague-term']"))) {
            assertTrue(f.findElements(By.cssSelector(".apply-rewrite")).isEmpty());
        }
        assertNoConsoleErrors();
    }

    @Test
    void previewRendersVariablesWithTheirTokenCountAndShowsErrorsInline() {
        String name = createPrompt("Say hello to {who}.");
        openPrompt(name);
        // a required variable left empty is named, not sent for a 422
        assertTrue(find("#prompt-preview .preview-missing").getText().contains("who"));
        WebElement who = find("#prompt-vars [data-var='who']");
        who.clear();
        who.sendKeys("Lily");
        waitUntil(d -> find("#prompt-preview").getText().contains("Say hello to Lily."));
        var render = JsonNodeFactory.instance.objectNode().put("model", UiTestProfile.MODEL);
        render.putObject("variables").put("who", "Lily");
        JsonNode api = TestHttp.json(http.post("/api/prompts/" + name + "/render", render.toString()).body());
        waitUntil(d -> find("#preview-tokens").getText().equals(api.get("tokens").asInt() + " tokens"));

        assertNoConsoleErrors();

        // a server error is shown inline with its message: malformed file text refused by the linter
        setEditor("---\nname: [unclosed\n---\nhi");
        WebElement error = find("#prompt-lint .error-box");
        assertTrue(error.getText().contains("400"), error.getText());
        consoleErrors(); // the refused request is logged as a failed resource; expected here
    }

    @Test
    void searchFiltersTheLibrary() {
        createPrompt("Say hello to {who}.");
        open("prompts");
        find("#prompt-search").sendKeys("ui-test/greet");
        // read in the page: the list is rebuilt as the search narrows
        waitUntil(d -> (Boolean) js("const names = [...document.querySelectorAll('#prompt-list .prompt-item')]"
                + ".map(b => b.dataset.name); return names.length > 0 && names.every(n => n.startsWith('ui-test/greet'))"));
        assertTrue(driver.findElements(By.cssSelector("#prompt-list .prompt-item[data-name='qa/answer-check-after']")).isEmpty());
    }
}
