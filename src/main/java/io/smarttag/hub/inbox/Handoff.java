package io.smarttag.hub.inbox;

import io.smarttag.hub.event.VodEvent;
import java.time.OffsetDateTime;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.seda.SedaEndpoint;

/**
 * The hand-off from accept to processing, onto seda:process in an exchange of its own. A copy of the
 * accepting exchange (what a plain {@code to: seda:process} queues) would keep everything accept
 * touched in memory for as long as it waits for a worker.
 *
 * <p>While few events wait (fewer than {@code inMemoryBelow}: a worker takes it within moments), the
 * event travels in memory ({@link Accepted}: the raw body, the event as validated and parsed at
 * accept, and its received_at), so the worker neither reads the inbox row back nor parses the event
 * again (InboxEngine.take). In a burst, when more wait, only the inbox id is queued and the worker
 * loads the event from the inbox: thousands of waiting copies filled the heap once. The same goes
 * for large events: the bodies waiting in memory stay under {@code maxBytes} in total, because an
 * event as parsed takes several times its body in heap (a 224 KB event of 10,000 tag rows about
 * 1.4 MB): 32 of them waiting held some 40 MB, and a hub with an 80 MiB heap spent its time in full
 * collections (issue 21).
 * When the queue is full the id is not queued (discardWhenFull): the sweep takes the event from the
 * inbox. Never waits for processing: the source answers as soon as the inbox row is committed.
 */
public class Handoff {

    /** An accepted event handed over in memory: as stored in the inbox (id, body, received_at) and as parsed. */
    public record Accepted(String inboxId, byte[] raw, VodEvent event, OffsetDateTime receivedAt) {
    }

    private final ProducerTemplate template;
    private final String uri;
    private final int inMemoryBelow;
    private final long maxBytes;
    private volatile SedaEndpoint queue;

    /**
     * inMemoryBelow: events travel in memory while fewer than this wait in the queue (0: never);
     * maxBytes: and while the bodies waiting in memory, this one included, are at most this many bytes
     * (0: never). A single event is over it only when larger than maxBytes.
     */
    public Handoff(ProducerTemplate template, int queueSize, int inMemoryBelow, long maxBytes) {
        this.template = template;
        this.uri = "seda:process?discardWhenFull=true&size=" + queueSize + "&waitForTaskToComplete=Never";
        this.inMemoryBelow = inMemoryBelow;
        this.maxBytes = maxBytes;
    }

    /** Queues the new event (as stored: inboxId, raw, receivedAt; event: as parsed at accept). */
    public void send(String inboxId, VodEvent event, Object raw, OffsetDateTime receivedAt) {
        // to the endpoint, not its URI: a URI is parsed and normalized again on every send
        if (raw instanceof byte[] body && event != null && receivedAt != null && fitsInMemory(body.length)) {
            template.sendBody(endpoint(), new Accepted(inboxId, body, event, receivedAt));
        } else {
            template.sendBody(endpoint(), inboxId);
        }
    }

    /**
     * Whether one more event of this size may wait in memory. The bodies are summed over the queue
     * when it is short (fewer than inMemoryBelow), so nothing is counted that could drift; callers
     * deciding at the same moment may each add one event over maxBytes.
     */
    private boolean fitsInMemory(int size) {
        if (size > maxBytes) {
            return false;
        }
        SedaEndpoint endpoint = endpoint();
        if (endpoint.getCurrentQueueSize() >= inMemoryBelow) {
            return false;
        }
        long bytes = size;
        for (Exchange waiting : endpoint.getQueue()) {
            if (waiting.getIn().getBody() instanceof Accepted accepted) {
                bytes += accepted.raw().length;
                if (bytes > maxBytes) {
                    return false;
                }
            }
        }
        return true;
    }

    private SedaEndpoint endpoint() {
        SedaEndpoint endpoint = queue;
        if (endpoint == null) {
            endpoint = template.getCamelContext().getEndpoint(uri, SedaEndpoint.class);
            queue = endpoint;
        }
        return endpoint;
    }
}
