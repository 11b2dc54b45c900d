package dev.quill.engine;

/** Why a generation ended, named as in the OpenAI API where one exists. */
public enum FinishReason {
    /** An end-of-generation token or a stop string. */
    STOP("stop"),
    /** The token limit or the end of the context. */
    LENGTH("length"),
    /** The caller cancelled (client gone, Stop pressed, shutdown). */
    CANCELLED("cancelled");

    private final String apiName;

    FinishReason(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }
}
