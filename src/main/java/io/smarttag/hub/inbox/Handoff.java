package io.smarttag.hub.inbox;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.Variable;

/**
 * The hand-off from accept to processing: the new event's inbox id onto seda:process, in an exchange
 * of its own that holds the id and nothing else. A copy of the accepting exchange (what a plain
 * {@code to: seda:process} queues) would keep the raw event and its parsed form in memory for as
 * long as it waits for a worker, and in a burst thousands wait: the heap filled up with them.
 * When the queue is full the id is not queued (discardWhenFull): the sweep takes the event from the
 * inbox. Never waits for processing: the source answers as soon as the inbox row is committed.
 */
public class Handoff {

    private final ProducerTemplate template;
    private final String uri;

    public Handoff(ProducerTemplate template, int queueSize) {
        this.template = template;
        this.uri = "seda:process?discardWhenFull=true&size=" + queueSize + "&waitForTaskToComplete=Never";
    }

    public void send(@Variable("inboxId") String inboxId) {
        template.sendBody(uri, inboxId);
    }
}
