package dev.quill.prompts.reframe;

/**
 * What one reframing rule did, for the UI to show next to the prompt.
 *
 * @param rule        the rule
 * @param type        EDIT (text replaced), ADD (text added), REMOVE (text dropped), FLAG (left alone
 *                    but worth a look), SETTING (an engine setting changed)
 * @param location    where: "prompt", "message 2 (user)", "step extract_facts", "settings"
 * @param before      the text (or setting) before; "" for ADD
 * @param after       the text (or setting) after; "" for REMOVE; equal to before for FLAG
 * @param explanation why, in a sentence
 */
public record Change(ReframeRule rule, Type type, String location, String before, String after, String explanation) {
    public enum Type { EDIT, ADD, REMOVE, FLAG, SETTING }

    public Change withLocation(String newLocation) {
        return new Change(rule, type, newLocation, before, after, explanation);
    }
}
