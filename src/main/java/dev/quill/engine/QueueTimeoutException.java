package dev.quill.engine;

import java.time.Duration;

/** A request waited in a model's queue longer than the configured deadline (503). */
public final class QueueTimeoutException extends RuntimeException {
    public QueueTimeoutException(String model, Duration waited) {
        super("model '" + model + "' is busy: the request waited " + waited.toSeconds()
                + " s in the queue without getting a slot; try again later or raise quill.queue-timeout");
    }
}
