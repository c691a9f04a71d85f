package io.smarttag.hub.config;

import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.db.JobRowsWriter;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.event.EventValidator;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.http.CallbackRequests;
import io.smarttag.hub.http.HttpReplies;
import io.smarttag.hub.inbox.AcceptStep;
import io.smarttag.hub.inbox.EventWork;
import io.smarttag.hub.inbox.InboxEngine;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.spi.Registry;

/**
 * The bean methods every callback and every delivery passes, bound as Processors under the name
 * {@code <bean>.<method>}: a route step {@code process: {ref: inboxEngine.take}} calls
 * {@code inboxEngine.take} as {@code bean: {ref: inboxEngine, method: take}} would, body and
 * variables in and the result as the new body, without Camel's bean binding (finding the method,
 * binding each parameter by reflection), which cost about a tenth of a callback's CPU and a twentieth
 * of an event's processing (issue 21 profile). Steps off that path stay bean steps.
 */
final class EventSteps {

    private EventSteps() {
    }

    static void bind(Registry registry, CallbackRequests requests, EventValidator validator, AcceptStep accept, HttpReplies replies,
            InboxEngine engine, JobRowsWriter rows, ArchiveKeys archiveKeys) {
        // accept (source-http.yaml, accept.yaml)
        step(registry, "callbackRequests.take", exchange -> body(exchange, requests.take(exchange)));
        step(registry, "eventValidator.validate", exchange -> body(exchange, validator.validate(in(exchange).getBody(byte[].class))));
        step(registry, "acceptStep.accept", exchange -> accept.accept(in(exchange).getBody(VodEvent.class),
                exchange.getVariable("rawEvent"), exchange.getVariable("source", String.class), exchange));
        step(registry, "httpReplies.accepted", exchange -> body(exchange, replies.accepted(
                exchange.getVariable("acceptResult", String.class), exchange.getVariable("inboxId", String.class), exchange)));
        // processing (process.yaml, routing.yaml)
        step(registry, "inboxEngine.take", exchange -> body(exchange, engine.take(in(exchange).getBody(), exchange)));
        step(registry, "inboxEngine.parsed", exchange -> engine.parsed(work(exchange), in(exchange).getBody(VodEvent.class), exchange));
        step(registry, "inboxEngine.due", exchange -> body(exchange, engine.due(work(exchange), exchange.getVariable("kind", String.class))));
        step(registry, "inboxEngine.attempting", exchange -> body(exchange,
                engine.attempting(in(exchange).getBody(Destination.class), work(exchange), exchange)));
        step(registry, "inboxEngine.delivered", exchange -> engine.delivered(work(exchange), destination(exchange)));
        step(registry, "inboxEngine.finished", exchange -> body(exchange, engine.finished(work(exchange), exchange.getVariable("kind", String.class))));
        // destinations (destination-database.yaml, destination-archive.yaml)
        step(registry, "jobRows.write", exchange -> body(exchange, rows.write(work(exchange), destination(exchange),
                exchange.getVariable("kind", String.class))));
        step(registry, "archiveKeys.address", exchange -> archiveKeys.address(work(exchange), destination(exchange), exchange));
    }

    private static void step(Registry registry, String name, Processor processor) {
        registry.bind(name, Processor.class, processor);
    }

    private static Message in(Exchange exchange) {
        return exchange.getMessage();
    }

    private static void body(Exchange exchange, Object body) {
        exchange.getMessage().setBody(body);
    }

    private static EventWork work(Exchange exchange) {
        return exchange.getVariable("work", EventWork.class);
    }

    private static Destination destination(Exchange exchange) {
        return exchange.getVariable("destination", Destination.class);
    }
}
