package dev.quill.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.server.TestHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/** The Compare view in headless Chromium: variants stream side by side, at the same time. */
@QuarkusTest
@TestProfile(UiTestProfile.class)
class CompareViewTest extends BrowserTestSupport {

    @BeforeEach
    void freshCompare() {
        open("compare");
        js("localStorage.clear()");
        open("compare");
        waitUntil(d -> d.findElements(By.cssSelector(".compare-column select.model-select option")).size() >= 6);
    }

    private void param(String name, String value) {
        WebElement input = find(".compare-shared input[data-param='" + name + "']");
        input.clear();
        input.sendKeys(value);
    }

    private WebElement column(int i) {
        return find(".compare-column[data-variant='" + i + "']");
    }

    private String apiContent(String model, String userContent) {
        return apiContent(model, userContent, 300);
    }

    private String apiContent(String model, String userContent, int maxTokens) {
        var response = http.post("/v1/chat/completions", "{\"model\":\"" + model + "\",\"temperature\":0,\"max_tokens\":" + maxTokens + ",\"seed\":42,"
                + "\"messages\":[{\"role\":\"user\",\"content\":" + TestHttp.JSON.valueToTree(userContent) + "}]}");
        assertEquals(200, response.statusCode(), response.body());
        return TestHttp.json(response.body()).path("choices").path(0).path("message").path("content").asText();
    }

    @Test
    void twoColumnsStreamAtTheSameTime() {
        find(".compare-shared summary").click();
        param("temperature", "0");
        param("max_tokens", "300");
        param("seed", "42");
        new Select(column(0).findElement(By.cssSelector("select.model-select"))).selectByValue(UiTestProfile.MODEL);
        new Select(column(1).findElement(By.cssSelector("select.model-select"))).selectByValue(UiTestProfile.SECOND_MODEL);
        new Select(column(1).findElement(By.cssSelector("select.variant-cot"))).selectByValue("zero-shot");
        WebElement input = find("#compare-input");
        input.clear();
        input.sendKeys("Lily and Ben went to the park");
        // Records whether both columns ever showed text while both were still streaming.
        js("window.__both = false; new MutationObserver(() => { const cols = [...document.querySelectorAll('.compare-column')];"
                + " if (cols.length === 2 && cols.every(c => c.classList.contains('running') && c.querySelector('.compare-output').textContent.length > 0))"
                + " window.__both = true; }).observe(document.getElementById('compare-columns'), {subtree: true, childList: true, characterData: true, attributes: true});");
        find("#compare-run").click();
        waitUntil(d -> d.findElements(By.cssSelector(".compare-column[data-done]")).size() == 2);

        assertEquals(Boolean.TRUE, js("return window.__both"), "the two columns should stream at the same time");
        long first0 = Long.parseLong(column(0).getAttribute("data-first-token"));
        long first1 = Long.parseLong(column(1).getAttribute("data-first-token"));
        long done0 = Long.parseLong(column(0).getAttribute("data-done"));
        long done1 = Long.parseLong(column(1).getAttribute("data-done"));
        assertTrue(first1 < done0 && first0 < done1, "streams overlap: A " + first0 + "–" + done0 + " ms, B " + first1 + "–" + done1 + " ms");

        String a = (String) js("return arguments[0].querySelector('.compare-output').textContent", column(0));
        String b = (String) js("return arguments[0].querySelector('.compare-output').textContent", column(1));
        assertEquals(apiContent(UiTestProfile.MODEL, "Lily and Ben went to the park"), a);
        assertEquals(apiContent(UiTestProfile.SECOND_MODEL, "Q: Lily and Ben went to the park\nA: Let's think step by step."), b);
        // Token counts and timings per column, from the usage chunk.
        for (int i = 0; i < 2; i++) {
            String tokens = column(i).findElement(By.cssSelector("[data-stat='tokens'] strong")).getText();
            assertTrue(Integer.parseInt(tokens) > 0 && Integer.parseInt(tokens) <= 300, tokens);
            assertTrue(column(i).findElement(By.cssSelector("[data-stat='ttft'] strong")).getText().endsWith("ms"));
        }
        assertEquals("stories260K", column(0).findElement(By.cssSelector(".variant-settings summary")).getText());
        assertEquals("stories-b · CoT zero-shot", column(1).findElement(By.cssSelector(".variant-settings summary")).getText());
        // For the README: settings folded, so the two outputs and their figures show.
        find(".compare-shared summary").click();
        for (int i = 0; i < 2; i++) {
            column(i).findElement(By.cssSelector(".variant-settings summary")).click();
        }
        screenshot("compare");
        assertNoConsoleErrors();
        assertAllRequestsLocal();
    }

    @Test
    void variantsCanBeAddedUpToFourAndErrorsShowInTheirColumn() {
        find("#compare-add").click();
        find("#compare-add").click();
        assertEquals(4, driver.findElements(By.cssSelector(".compare-column")).size());
        assertTrue(!find("#compare-add").isEnabled(), "at most four variants");
        find(".compare-shared summary").click();
        param("temperature", "3");
        find("#compare-run").click();
        waitUntil(d -> d.findElements(By.cssSelector(".compare-column[data-done]")).size() == 4);
        List<WebElement> errors = driver.findElements(By.cssSelector(".compare-column .error-box"));
        assertEquals(4, errors.size());
        assertTrue(errors.get(0).getText().contains("temperature"), errors.get(0).getText());
    }

    @Test
    void twoStageChainOfThoughtOnOneModelStreamsBesideAPlainVariant() {
        find(".compare-shared summary").click();
        param("temperature", "0");
        param("max_tokens", "60");
        param("seed", "42");
        // Both variants on the same model: the batching scheduler runs them together.
        new Select(column(0).findElement(By.cssSelector("select.model-select"))).selectByValue(UiTestProfile.MODEL);
        new Select(column(1).findElement(By.cssSelector("select.model-select"))).selectByValue(UiTestProfile.MODEL);
        new Select(column(1).findElement(By.cssSelector("select.variant-cot"))).selectByValue("two-stage");
        WebElement input = find("#compare-input");
        input.clear();
        input.sendKeys("Tom had three red balls");
        find("#compare-run").click();
        waitUntil(d -> d.findElements(By.cssSelector(".compare-column[data-done]")).size() == 2);

        String stage1 = "Q: Tom had three red balls\nA: Let's think step by step.";
        String reasoning = (String) js("return arguments[0].querySelector('.reasoning-text').textContent", column(1));
        assertEquals(apiContent(UiTestProfile.MODEL, stage1, 60), reasoning, "stage 1 is the reasoning");
        String r = reasoning.replaceAll("\\s+$", "");
        String stage2 = stage1 + (r.isEmpty() || Character.isWhitespace(r.charAt(0)) ? "" : " ") + r + "\nTherefore, the answer is";
        // The answer is the output's own text, after the collapsible reasoning block.
        String answer = (String) js("return [...arguments[0].querySelector('.compare-output').childNodes]"
                + ".filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('')", column(1));
        assertEquals(apiContent(UiTestProfile.MODEL, stage2, 60), answer, "stage 2 streams the answer after the reasoning");
        String plain = (String) js("return arguments[0].querySelector('.compare-output').textContent", column(0));
        assertEquals(apiContent(UiTestProfile.MODEL, "Tom had three red balls", 60), plain);
        assertEquals("stories260K · CoT two-stage", column(1).findElement(By.cssSelector(".variant-settings summary")).getText());
        assertNoConsoleErrors();
    }

    @Test
    void theThemeButtonSwitchesBetweenLightAndDark() {
        String before = (String) js("return getComputedStyle(document.body).backgroundColor");
        String themeBefore = (String) js("return document.documentElement.dataset.theme || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light')");
        find("#theme-toggle").click();
        String after = (String) js("return getComputedStyle(document.body).backgroundColor");
        String themeAfter = (String) js("return document.documentElement.dataset.theme");
        assertTrue(!themeBefore.equals(themeAfter), themeBefore + " -> " + themeAfter);
        assertTrue(!before.equals(after), "the page colours change: " + before + " -> " + after);
        // The choice is kept across a reload.
        open("compare");
        assertEquals(themeAfter, js("return document.documentElement.dataset.theme"));
        if ("dark".equals(themeAfter)) {
            screenshot("compare-dark");
        }
        find("#theme-toggle").click();
        assertNoConsoleErrors();
    }
}
