package io.smarttag.hub.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smarttag.hub.event.VodEvent;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.component.seda.SedaEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * The in-memory hand-off from accept to processing (issue 21): an event waits for a worker with its
 * body and its parsed form only while few wait and their bodies stay under the byte budget;
 * otherwise only its inbox id waits (the worker reads the event back from the inbox), so a burst of
 * large events does not hold them all, as parsed, in the heap.
 */
class HandoffTest {

    private static final OffsetDateTime NOW = OffsetDateTime.now();

    @Test
    void bodiesWaitInMemoryOnlyWithinTheByteBudget() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.start();
            Handoff handoff = new Handoff(context.createProducerTemplate(), 100, 32, 1000);
            handoff.send("a", new VodEvent(), new byte[400], NOW);
            handoff.send("b", new VodEvent(), new byte[400], NOW);
            handoff.send("c", new VodEvent(), new byte[400], NOW); // 1,200 bytes would wait
            handoff.send("d", new VodEvent(), new byte[200], NOW); // exactly 1,000
            handoff.send("e", new VodEvent(), new byte[1001], NOW); // larger than the budget alone
            assertEquals(List.of("in memory a", "in memory b", "id c", "in memory d", "id e"), waiting(context));

            queue(context).getQueue().poll(); // a worker takes "a": its 400 bytes are free again
            handoff.send("f", new VodEvent(), new byte[400], NOW);
            assertEquals(List.of("in memory b", "id c", "in memory d", "id e", "in memory f"), waiting(context));
        }
    }

    @Test
    void fewWaitingInMemoryAndABudgetOfZeroMeansNever() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.start();
            Handoff byCount = new Handoff(context.createProducerTemplate(), 100, 2, 1_048_576);
            byCount.send("a", new VodEvent(), new byte[10], NOW);
            byCount.send("b", new VodEvent(), new byte[10], NOW);
            byCount.send("c", new VodEvent(), new byte[10], NOW); // two wait already
            byCount.send("d", null, new byte[10], NOW); // not parsed at accept: always by id
            assertEquals(List.of("in memory a", "in memory b", "id c", "id d"), waiting(context));
        }
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.start();
            Handoff never = new Handoff(context.createProducerTemplate(), 100, 32, 0);
            never.send("a", new VodEvent(), new byte[1], NOW);
            assertEquals(List.of("id a"), waiting(context));
        }
    }

    private static List<String> waiting(DefaultCamelContext context) {
        List<String> waiting = new ArrayList<>();
        for (Exchange exchange : queue(context).getQueue()) {
            Object body = exchange.getIn().getBody();
            waiting.add(body instanceof Handoff.Accepted accepted ? "in memory " + accepted.inboxId() : "id " + body);
        }
        return waiting;
    }

    private static SedaEndpoint queue(DefaultCamelContext context) {
        return context.getEndpoints().stream().filter(SedaEndpoint.class::isInstance).map(SedaEndpoint.class::cast)
                .findFirst().orElseThrow();
    }
}
