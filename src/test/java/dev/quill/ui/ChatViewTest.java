package dev.quill.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quill.server.TestHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/** The Chat view in headless Chromium against the running server with stories260K. */
@QuarkusTest
@TestProfile(UiTestProfile.class)
class ChatViewTest extends BrowserTestSupport {

    @BeforeEach
    void freshChat() {
        open("chat");
        js("localStorage.clear()");
        open("chat");
        new Select(find("#model-select")).selectByValue(UiTestProfile.MODEL);
    }

    private void param(String name, String value) {
        WebElement input = find("input[data-param='" + name + "']");
        input.clear();
        input.sendKeys(value);
    }

    private void setCheckbox(String id, boolean on) {
        WebElement box = find("#" + id);
        if (box.isSelected() != on) {
            box.click();
        }
    }

    private void sendMessage(String text) {
        WebElement input = find("#chat-input");
        input.clear();
        input.sendKeys(text);
        input.sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
    }

    /** Waits until the last assistant message is finished and returns its body's text. */
    private String awaitReply() {
        waitUntil(d -> !d.findElements(By.cssSelector(".msg-assistant:last-child .msg-head .badge")).isEmpty()
                && !(Boolean) js("return document.body.classList.contains('streaming')"));
        return (String) js("return document.querySelector('.msg-assistant:last-child .msg-body').textContent");
    }

    private String apiContent(String request) {
        var response = http.post("/v1/chat/completions", request);
        assertEquals(200, response.statusCode(), response.body());
        return TestHttp.json(response.body()).path("choices").path(0).path("message").path("content").asText();
    }

    /** Counts how often the reply's text changed while streaming. */
    private void watchUpdates() {
        js("window.__updates = []; new MutationObserver(() => { const b = document.querySelector('.msg-assistant:last-child .msg-body');"
                + " if (b && document.body.classList.contains('streaming')) window.__updates.push(b.textContent.length); })"
                + ".observe(document.getElementById('messages'), {subtree: true, childList: true, characterData: true});");
    }

    @Test
    void sentMessageStreamsInAndEqualsTheApiGreedyOutput() {
        param("temperature", "0");
        param("max_tokens", "80");
        setCheckbox("render-markdown", false);
        watchUpdates();
        sendMessage("Once upon a time");
        String shown = awaitReply();

        String expected = apiContent(TestHttp.body("{'model':'stories260K','messages':[{'role':'user','content':'Once upon a time'}],"
                + "'temperature':0,'max_tokens':80}"));
        assertFalse(expected.isEmpty());
        assertEquals(expected, shown, "the streamed reply differs from the API's greedy output");
        @SuppressWarnings("unchecked")
        List<Long> updates = (List<Long>) js("return window.__updates");
        long distinct = updates.stream().distinct().count();
        assertTrue(distinct >= 3, "the reply should appear over several updates, saw " + updates);

        // Live figures are filled in from the stream and the final usage.
        String tokens = find("[data-fig='tokens'] strong").getText();
        assertEquals("80", tokens, "completion tokens from the usage chunk");
        assertTrue(find("[data-fig='ttft'] strong").getText().endsWith("ms"));
        assertTrue(find("[data-fig='context'] strong").getText().endsWith("/ 2048"));

        // The conversation is kept in the browser: a reload shows it again.
        driver.navigate().refresh();
        assertEquals(expected, (String) waitUntil(d -> js("const b = document.querySelector('.msg-assistant .msg-body');"
                + " return b ? b.textContent : null")));
        assertNoConsoleErrors();
        assertAllRequestsLocal();
    }

    @Test
    void stopEndsTheStreamEarlyAndTheServerStopsGenerating() throws Exception {
        double before = generatedTokens(UiTestProfile.MODEL);
        param("temperature", "0");
        param("max_tokens", "1900");
        setCheckbox("render-markdown", false);
        sendMessage("Once upon a time");
        waitUntil(d -> !((String) js("const b = document.querySelector('.msg-assistant:last-child .msg-body');"
                + " return b ? b.textContent : ''")).isEmpty());
        find("#chat-input").sendKeys(Keys.ESCAPE);
        String shown = awaitReply();
        assertEquals("cancelled", find(".msg-assistant:last-child .msg-head .badge").getText());
        double stopped = settle(UiTestProfile.MODEL);
        double generated = stopped - before;
        assertTrue(generated < 1900, "the server went on generating after Stop: " + generated + " tokens");
        Thread.sleep(400);
        assertEquals(stopped, generatedTokens(UiTestProfile.MODEL), "no tokens are generated after Stop");
        assertFalse(shown.isEmpty());
        // The model is free again: the next message is answered.
        param("max_tokens", "5");
        sendMessage("Lily saw");
        awaitReply();
        assertEquals("length", find(".msg-assistant:last-child .msg-head .badge").getText());
        assertNoConsoleErrors();
    }

    private double settle(String model) throws InterruptedException {
        double last = generatedTokens(model);
        for (int i = 0; i < 60; i++) {
            Thread.sleep(50);
            double now = generatedTokens(model);
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    @Test
    void templateWithVariablesRendersAndRuns() {
        var created = http.post("/api/prompts", TestHttp.body("{'name':'ui-test/story','description':'A story opening',"
                + "'variables':[{'name':'hero','description':'who the story is about'}],'body':'Once upon a time there was {hero}.'}"));
        assertTrue(created.statusCode() == 201 || created.statusCode() == 200, created.body());
        open("chat");
        new Select(waitUntil(d -> {
            WebElement s = d.findElement(By.id("template-select"));
            return s.findElements(By.cssSelector("option[value='ui-test/story']")).isEmpty() ? null : s;
        })).selectByValue("ui-test/story");
        find("[data-variable='hero']").sendKeys("a cat named Tom");
        find("#template-preview-button").click();
        waitUntil(d -> d.findElement(By.id("template-preview")).getText().equals("Once upon a time there was a cat named Tom."));
        param("temperature", "0");
        param("max_tokens", "30");
        setCheckbox("render-markdown", false);
        find("#template-run").click();
        String shown = awaitReply();
        String userShown = (String) js("return document.querySelector('.msg-user .msg-body').textContent");
        assertEquals("Once upon a time there was a cat named Tom.", userShown);
        String expected = apiContent(TestHttp.body("{'model':'stories260K','temperature':0,'max_tokens':30,"
                + "'quill':{'prompt':'ui-test/story@1','variables':{'hero':'a cat named Tom'}}}"));
        assertEquals(expected, shown);
        assertNoConsoleErrors();
    }

    @Test
    void twoStageChainOfThoughtShowsTheReasoningAndThenTheAnswer() {
        param("temperature", "0");
        param("max_tokens", "24");
        setCheckbox("render-markdown", false);
        new Select(find("#cot-mode")).selectByValue("two-stage");
        sendMessage("Tom has 3 apples and eats one. How many are left?");
        String answer = awaitReply();
        String reasoning = (String) js("return document.querySelector('.msg-assistant:last-child .reasoning-text').textContent");
        String stage1 = "Q: Tom has 3 apples and eats one. How many are left?\nA: Let's think step by step.";
        String expectedReasoning = apiContent("{\"model\":\"stories260K\",\"temperature\":0,\"max_tokens\":24,\"messages\":"
                + "[{\"role\":\"user\",\"content\":" + quote(stage1) + "}]}");
        assertEquals(expectedReasoning, reasoning);
        String r = expectedReasoning.stripTrailing();
        String stage2 = stage1 + (r.isEmpty() || Character.isWhitespace(r.charAt(0)) ? "" : " ") + r + "\nTherefore, the answer is";
        String expectedAnswer = apiContent("{\"model\":\"stories260K\",\"temperature\":0,\"max_tokens\":24,\"messages\":"
                + "[{\"role\":\"user\",\"content\":" + quote(stage2) + "}]}");
        assertEquals(expectedAnswer, answer);
        assertNoConsoleErrors();
    }

    private static String quote(String s) {
        return TestHttp.JSON.valueToTree(s).toString();
    }

    @Test
    void htmlInAMessageAndInAModelOutputRendersAsText() {
        String expected = apiContent(TestHttp.body("{'model':'stories-xss','messages':[{'role':'user','content':'Once upon a time'}],"
                + "'temperature':0,'max_tokens':60}"));
        assertTrue(expected.contains(UiTestProfile.XSS_TEXT), "the stand-in model should write markup: " + expected);

        new Select(find("#model-select")).selectByValue(UiTestProfile.XSS_MODEL);
        param("temperature", "0");
        param("max_tokens", "60");
        setCheckbox("render-markdown", true);
        String attack = "Once upon a time <img src=x onerror=\"window.__xss='user'\"><script>window.__xss='script'</script>"
                + " [click](javascript:window.__xss='link')";
        sendMessage(attack);
        awaitReply();
        // The user's text is shown as typed (Markdown leaves the unsafe link as text)...
        String user = (String) js("return document.querySelector('.msg-user .msg-body').textContent");
        assertTrue(user.contains("<img src=x onerror=\"window.__xss='user'\">"), user);
        assertTrue(user.contains("<script>"), user);
        assertTrue(user.contains("[click](javascript:"), user);
        // ...and so is the model's markup, in the Markdown view and in the probabilities view.
        String reply = (String) js("return document.querySelector('.msg-assistant:last-child .msg-body').textContent");
        assertTrue(reply.contains(UiTestProfile.XSS_TEXT), reply);
        assertMarkupInert();
        setCheckbox("show-probabilities", true);
        find("#new-chat").click();
        sendMessage("Once upon a time");
        awaitReply();
        waitUntil(d -> !d.findElements(By.cssSelector(".msg-assistant:last-child .prob-view .tok")).isEmpty());
        String tokens = (String) js("return document.querySelector('.msg-assistant:last-child .prob-view').textContent");
        assertTrue(tokens.contains("<img src=x onerror=window.__xss=1>"), tokens);
        assertMarkupInert();
        assertNoConsoleErrors();
    }

    private void assertMarkupInert() {
        assertEquals(0L, js("return document.querySelectorAll('#messages img, #messages script, #messages a[href^=\"javascript\"]').length"));
        assertNull(js("return window.__xss === undefined ? null : String(window.__xss)"), "injected script ran");
    }

    @Test
    void serverErrorsAreShownInlineWithTheirMessage() {
        param("temperature", "5");
        sendMessage("Hello");
        WebElement error = find(".msg-assistant .error-box");
        assertTrue(error.getText().contains("400"), error.getText());
        assertTrue(error.getText().contains("temperature"), "the server's message names the field: " + error.getText());
        assertEquals("error", find(".msg-assistant .msg-head .badge").getText());
        // The failed turn is not sent as history: fixing the value and regenerating works.
        param("temperature", "0");
        param("max_tokens", "5");
        find("#regenerate").click();
        assertFalse(awaitReply().isEmpty());
    }

    @Test
    void copyAsCurlGivesTheRequestThatWasSent() {
        param("temperature", "0");
        param("max_tokens", "12");
        setCheckbox("render-markdown", false);
        sendMessage("Lily saw");
        String shown = awaitReply();
        find("[data-copy='curl']").click();
        String curl = find("#code-snippet").getText();
        assertTrue(curl.startsWith("curl -N " + root.resolve("/").toString().replaceAll("/$", "") + "/v1/chat/completions"), curl);
        String json = curl.substring(curl.indexOf("-d '") + 4, curl.lastIndexOf('\''));
        ObjectNode request = (ObjectNode) TestHttp.json(json);
        assertEquals("Lily saw", request.path("messages").path(0).path("content").asText());
        request.put("stream", false);
        request.remove("stream_options");
        assertEquals(shown, apiContent(request.toString()), "the copied request gives the same reply");
        find("[data-copy='python']").click();
        String python = find("#code-snippet").getText();
        assertTrue(python.contains("client.chat.completions.create(") && python.contains("temperature=0,"), python);
        find("[data-copy='java']").click();
        assertTrue(find("#code-snippet").getText().contains("HttpRequest.newBuilder(URI.create("));
    }

    @Test
    void readmeScreenshotsAtLaptopAndPhoneWidths() {
        param("temperature", "0");
        param("max_tokens", "60");
        setCheckbox("render-markdown", true);
        setCheckbox("show-probabilities", true);
        sendMessage("Once upon a time");
        awaitReply();
        WebElement token = find(".msg-assistant:last-child .prob-view .tok");
        new org.openqa.selenium.interactions.Actions(driver).moveToElement(token).perform();
        waitUntil(d -> (Boolean) js("const t = document.querySelector('.token-tooltip'); return !!t && !t.hidden"));
        screenshot("chat");
        driver.manage().window().setSize(new Dimension(390, 844));
        assertTrue((Boolean) js("return document.documentElement.scrollWidth <= window.innerWidth + 1"),
                "the page must not scroll sideways at phone width");
        screenshot("chat-phone");
        assertNoConsoleErrors();
    }
}
