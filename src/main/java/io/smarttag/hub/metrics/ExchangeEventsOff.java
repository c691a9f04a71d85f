package io.smarttag.hub.metrics;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.micrometer.eventnotifier.MicrometerRouteEventNotifier;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.support.EventHelper;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Camel creates an event for every exchange created, sent to an endpoint and completed as soon as
 * one event notifier does not ignore exchange events, and a notifier does not unless it says so.
 * The hub's notifiers need none: camel-micrometer's route notifier counts routes (camel_routes_*),
 * the shutdown gate (ShutdownGate) waits for the context to stop. The developer console's "event"
 * console (/q/dev/event) would list the last exchange events; it keeps its route and context events,
 * its exchange events are given up: every callback and every delivery paid for them. This tells those
 * notifiers, once camel-main has added them, and then Camel, which decides at start whether exchange
 * events are raised at all. A notifier added otherwise keeps what it asks for: Camel asks every one.
 */
public class ExchangeEventsOff implements StartupListener {

    /** The notifier of the developer console's event console (an inner class of EventConsole). */
    private static final String DEV_CONSOLE_EVENTS = "org.apache.camel.impl.console.EventConsole";

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // too early: camel-main adds the metrics notifiers while the context starts
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        for (EventNotifier notifier : context.getManagementStrategy().getEventNotifiers()) {
            boolean ours = notifier instanceof MicrometerRouteEventNotifier
                    || notifier.getClass().getName().startsWith(DEV_CONSOLE_EVENTS);
            if (ours && notifier instanceof EventNotifierSupport support) {
                support.setIgnoreExchangeEvents(true);
            }
        }
        context.getCamelContextExtension().setEventNotificationApplicable(EventHelper.eventsApplicable(context));
    }
}
