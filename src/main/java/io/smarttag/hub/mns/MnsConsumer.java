package io.smarttag.hub.mns;

import com.aliyun.mns.client.CloudQueue;
import com.aliyun.mns.common.ClientException;
import com.aliyun.mns.common.ServiceException;
import com.aliyun.mns.common.ServiceHandlingRequiredException;
import com.aliyun.mns.model.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long-polls an MNS queue on concurrentConsumers threads and hands each message to the route.
 * A message is deleted (in one batch per poll) only after its exchange completed without an
 * exception; otherwise it stays in the queue and MNS hands it out again after its visibility
 * timeout.
 *
 * <p><b>Messages of one receive go through the route together.</b> Up to batchConcurrency of them
 * at a time: the polling thread and batchConcurrency - 1 threads of a pool this consumer owns
 * (created on start, stopped on stop, through Camel's ExecutorServiceManager), each taking the next
 * message of the receive until none is left. So they reach accept together and share one inbox
 * transaction (group commit, InboxWriter), and the polling thread deletes those accepted with one
 * batch delete once all of them are done. Each message is its own exchange, exactly as when they
 * went through one after another (batchConcurrency 1, on the polling thread alone); only their order
 * is not kept, which accept does not need (a repeated delivery is recognised whatever its order). Failed receives back off exponentially and are logged once per outage, not per poll;
 * after healthFailureThreshold of them in a row the consumer's health check (MnsConsumerHealthCheck)
 * is DOWN until the next successful receive.
 *
 * <p>Stopping does not wait out the long polls: receives in flight are interrupted (only a thread
 * that is inside a receive, never one processing an exchange), and whatever such a receive would
 * have returned stays invisible for the queue's visibility timeout and is then handed out again.
 * While the CamelContext is stopping (the hub's drain), no new receive starts and messages that
 * still arrive are given back untouched rather than offered to a route that is closing.
 */
public class MnsConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(MnsConsumer.class);
    private static final Set<String> AUTH_ERRORS = Set.of("SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied",
            "InvalidAuthorizationHeader", "MissingAuthorizationHeader", "TimeExpired");

    /** A message being processed; its receipt handle changes when its visibility is extended. */
    private static final class InFlight {
        final String messageId;
        volatile String receiptHandle;
        volatile long visibleUntil;
        /** Set (under the lock) once the handle is used for a delete or given back; no extension after that. */
        boolean done;

        /** The handle to delete or give back with; from then on the extender leaves it alone. */
        synchronized String finish() {
            done = true;
            return receiptHandle;
        }

        InFlight(Message message) {
            this.messageId = message.getMessageId();
            this.receiptHandle = message.getReceiptHandle();
            this.visibleUntil = message.getNextVisibleTime() == null ? Long.MAX_VALUE : message.getNextVisibleTime().getTime();
        }
    }

    private final MnsEndpoint endpoint;
    private final MnsConfiguration configuration;
    /** Deliveries received and not yet deleted or given back, by identity: a redelivered message is a new entry. */
    private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private ExecutorService pollers;
    /** Helps the polling threads run the messages of a receive through the route; null when batchConcurrency is 1. */
    private ExecutorService batchWorkers;
    private ScheduledExecutorService extender;
    /** Poller threads inside a receive right now: the only ones doStop interrupts. Guarded by itself. */
    private final Set<Thread> receiving = new HashSet<>();
    /** Receives that failed in a row, all polling threads together; 0 after a successful one. */
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile String lastErrorCode;
    private volatile String lastError;
    private MnsConsumerHealthCheck healthCheck;

    /** What the health check reports: failures in a row and the last one (its MNS error code, never a credential). */
    record ReceiveStatus(int consecutiveFailures, String lastErrorCode, String lastError) {
    }

    public MnsConsumer(MnsEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.configuration = endpoint.getConfiguration();
    }

    @Override
    public MnsEndpoint getEndpoint() {
        return endpoint;
    }

    ReceiveStatus receiveStatus() {
        return new ReceiveStatus(consecutiveFailures.get(), lastErrorCode, lastError);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        running = true;
        consecutiveFailures.set(0);
        HealthCheckRegistry registry = HealthCheckRegistry.get(getEndpoint().getCamelContext());
        if (registry != null && ((MnsComponent) getEndpoint().getComponent()).isHealthCheckConsumerEnabled()) {
            healthCheck = new MnsConsumerHealthCheck(this, configuration.getQueueName());
            healthCheck.setCamelContext(getEndpoint().getCamelContext());
            registry.register(healthCheck);
        }
        if (helpersPerBatch() > 0) {
            // every polling thread can have its helpers busy at once: a helper never waits for a pool thread
            batchWorkers = getEndpoint().getCamelContext().getExecutorServiceManager().newFixedThreadPool(this,
                    "mns-batch-" + configuration.getQueueName(), helpersPerBatch() * configuration.getConcurrentConsumers());
        }
        pollers = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newFixedThreadPool(this, "mns-" + configuration.getQueueName(), configuration.getConcurrentConsumers());
        for (int i = 0; i < configuration.getConcurrentConsumers(); i++) {
            pollers.submit(this::pollLoop);
        }
        if (configuration.getVisibilityExtensionSeconds() > 0) {
            extender = getEndpoint().getCamelContext().getExecutorServiceManager()
                    .newSingleThreadScheduledExecutor(this, "mns-visibility-" + configuration.getQueueName());
            extender.scheduleWithFixedDelay(this::extendVisibility, 1, 1, TimeUnit.SECONDS);
        }
    }

    /** Threads of the pool that help one polling thread with the messages of one receive. */
    private int helpersPerBatch() {
        return Math.min(configuration.getBatchConcurrency(), configuration.getMaxMessagesPerPoll()) - 1;
    }

    /**
     * Stops polling: receives in flight are interrupted at once; a batch already being processed
     * is finished (and deleted) before its thread ends, and only then the batch pool is stopped.
     */
    @Override
    protected void doStop() throws Exception {
        running = false;
        synchronized (receiving) {
            receiving.forEach(Thread::interrupt);
        }
        if (pollers != null) {
            pollers.shutdown();
            if (!pollers.awaitTermination(configuration.getWaitSeconds() + 10L, TimeUnit.SECONDS)) {
                LOG.warn("MNS consumer of {} did not stop in time; undeleted messages will be redelivered", configuration.getQueueName());
            }
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(pollers);
            pollers = null;
        }
        if (batchWorkers != null) {
            // idle unless the pollers did not stop in time: then, as for them, processing is interrupted
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(batchWorkers);
            batchWorkers = null;
        }
        if (extender != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(extender);
            extender = null;
        }
        if (healthCheck != null) {
            HealthCheckRegistry registry = HealthCheckRegistry.get(getEndpoint().getCamelContext());
            if (registry != null) {
                registry.unregister(healthCheck);
            }
            healthCheck = null;
        }
        super.doStop();
    }

    private void pollLoop() {
        int failures = 0;
        while (running && isRunAllowed()) {
            if (contextStopping()) {
                // the hub drains before routes stop: no new receive, doStop ends this loop
                pause(100);
                continue;
            }
            List<Message> messages;
            try {
                messages = receiveInterruptibly();
            } catch (ServiceException | ClientException | ServiceHandlingRequiredException e) {
                if (!running) {
                    break;
                }
                failures++;
                receiveFailed(errorCode(e), describe(e));
                logFailure(e, failures);
                pause(backoff(failures));
                continue;
            } catch (RuntimeException e) {
                if (!running) {
                    break; // the receive was interrupted by doStop
                }
                failures++;
                receiveFailed(null, describe(e));
                LOG.warn("MNS consumer of {} failed: {}", configuration.getQueueName(), e.toString());
                pause(backoff(failures));
                continue;
            }
            if (failures > 0) {
                LOG.info("MNS queue {} reachable again after {} failed receive(s)", configuration.getQueueName(), failures);
                failures = 0;
            }
            consecutiveFailures.set(0);
            if (messages != null && !messages.isEmpty()) {
                try {
                    processBatch(messages);
                } catch (RuntimeException e) {
                    LOG.warn("MNS consumer of {} failed: {}", configuration.getQueueName(), e.toString());
                }
            }
        }
    }

    private boolean contextStopping() {
        return getEndpoint().getCamelContext().isStopping();
    }

    /** A receive doStop can interrupt: the thread is registered only while it is inside the SDK call. */
    private List<Message> receiveInterruptibly() throws ServiceHandlingRequiredException {
        Thread self = Thread.currentThread();
        synchronized (receiving) {
            if (!running) {
                return null;
            }
            receiving.add(self);
        }
        try {
            return receive();
        } finally {
            synchronized (receiving) {
                receiving.remove(self);
                // an interrupt meant for the receive must not reach the route's processing
                Thread.interrupted();
            }
        }
    }

    private void receiveFailed(String code, String description) {
        lastErrorCode = code;
        lastError = description;
        consecutiveFailures.incrementAndGet();
    }

    private static String errorCode(Exception e) {
        return e instanceof ServiceException se ? se.getErrorCode()
                : e instanceof ServiceHandlingRequiredException sh ? sh.getErrorCode() : null;
    }

    /** The MNS error code, or the client error; the request, its signature and the credentials never. */
    private static String describe(Exception e) {
        String code = errorCode(e);
        if (code != null) {
            return AUTH_ERRORS.contains(code)
                    ? code + " (MNS rejected the credentials: check the AccessKey id, secret, STS token and account endpoint)"
                    : code;
        }
        String message = e.getMessage() == null ? "" : ": " + e.getMessage();
        String text = e.getClass().getSimpleName() + message;
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private List<Message> receive() throws ServiceHandlingRequiredException {
        CloudQueue queue = endpoint.queue();
        if (configuration.getMaxMessagesPerPoll() > 1) {
            return queue.batchPopMessage(configuration.getMaxMessagesPerPoll(), configuration.getWaitSeconds());
        }
        Message message = queue.popMessage(configuration.getWaitSeconds());
        return message == null ? null : List.of(message);
    }

    private void processBatch(List<Message> messages) {
        // The whole batch is tracked until deleted, so messages waiting their turn (or waiting
        // for the batch delete) get their visibility extended too.
        List<InFlight> batch = new ArrayList<>();
        for (Message message : messages) {
            InFlight tracked = new InFlight(message);
            inFlight.add(tracked);
            batch.add(tracked);
        }
        try {
            boolean[] accepted = new boolean[messages.size()];
            AtomicInteger next = new AtomicInteger();
            CountDownLatch finished = new CountDownLatch(messages.size());
            Runnable takeTurns = () -> {
                for (int i = next.getAndIncrement(); i < messages.size(); i = next.getAndIncrement()) {
                    try {
                        accepted[i] = process(messages.get(i), batch.get(i));
                    } catch (RuntimeException e) {
                        // not accepted: left in the queue until its visibility timeout; the other messages go on
                        LOG.warn("MNS consumer of {} failed on message {}: {}", configuration.getQueueName(),
                                messages.get(i).getMessageId(), e.toString());
                    } finally {
                        finished.countDown();
                    }
                }
            };
            ExecutorService helpers = batchWorkers;
            int helpersWanted = helpers == null ? 0 : Math.min(helpersPerBatch(), messages.size() - 1);
            for (int h = 0; h < helpersWanted; h++) {
                try {
                    helpers.execute(takeTurns);
                } catch (RejectedExecutionException stopped) {
                    break; // the pool is stopping: this thread takes the remaining turns itself
                }
            }
            takeTurns.run();
            if (!awaitHelpers(finished)) {
                // interrupted (the consumer did not stop in time): nothing is deleted; what was
                // accepted is redelivered and recognised as a duplicate
                return;
            }
            List<String> handles = new ArrayList<>();
            for (int i = 0; i < accepted.length; i++) {
                if (accepted[i]) {
                    handles.add(batch.get(i).finish());
                }
            }
            delete(handles);
        } finally {
            inFlight.removeAll(batch);
        }
    }

    /** Waits until the helpers finished their messages; false when interrupted first. */
    private boolean awaitHelpers(CountDownLatch finished) {
        try {
            finished.await();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("MNS consumer of {} interrupted while a batch was processed; its accepted messages will be "
                    + "redelivered and recognised as duplicates", configuration.getQueueName());
            return false;
        }
    }

    /** One message through the route, on whichever thread takes its turn; true when it was accepted. */
    private boolean process(Message message, InFlight tracked) {
        if (!running || contextStopping()) {
            // stopping: leave the rest untouched, MNS hands them out again
            retryLater(tracked);
            return false;
        }
        Exchange exchange = createExchange(message);
        try {
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            if (exchange.getException() == null) {
                return true;
            }
            LOG.warn("MNS message {} not accepted, left in the queue for a retry: {}",
                    message.getMessageId(), exchange.getException().toString());
            retryLater(tracked);
            return false;
        } finally {
            releaseExchange(exchange, false);
        }
    }

    /**
     * A message that was not accepted becomes visible again after failureVisibilitySeconds, so
     * the retry neither waits out an extended visibility nor comes back at once in a tight loop.
     */
    private void retryLater(InFlight tracked) {
        inFlight.remove(tracked);
        String handle = tracked.finish();
        try {
            endpoint.queue().changeMessageVisibility(handle, configuration.getFailureVisibilitySeconds());
        } catch (Exception e) {
            LOG.debug("could not shorten the visibility of MNS message {}: {}", tracked.messageId, e.toString());
        }
    }

    private Exchange createExchange(Message message) {
        Exchange exchange = createExchange(false);
        org.apache.camel.Message in = exchange.getIn();
        MnsBody body = MnsBody.read(message.getMessageBodyAsRawString());
        in.setBody(body.bytes());
        in.setHeader(MnsConstants.BODY_ENCODING, body.encoding());
        in.setHeader(MnsConstants.BODY_UNREADABLE, body.unreadable());
        in.setHeader(MnsConstants.MESSAGE_ID, message.getMessageId());
        in.setHeader(MnsConstants.RECEIPT_HANDLE, message.getReceiptHandle());
        int dequeueCount = message.getDequeueCount() == null ? 1 : message.getDequeueCount();
        in.setHeader(MnsConstants.DEQUEUE_COUNT, dequeueCount);
        in.setHeader(MnsConstants.POISON, configuration.getMaxDequeueCount() > 0 && dequeueCount >= configuration.getMaxDequeueCount());
        if (message.getEnqueueTime() != null) {
            in.setHeader(MnsConstants.ENQUEUE_TIME, message.getEnqueueTime().getTime());
        }
        if (message.getFirstDequeueTime() != null) {
            in.setHeader(MnsConstants.FIRST_DEQUEUE_TIME, message.getFirstDequeueTime().getTime());
        }
        return exchange;
    }

    private void delete(List<String> receiptHandles) {
        if (receiptHandles.isEmpty()) {
            return;
        }
        try {
            if (receiptHandles.size() == 1) {
                endpoint.queue().deleteMessage(receiptHandles.get(0));
            } else {
                endpoint.queue().batchDeleteMessage(receiptHandles);
            }
        } catch (Exception e) {
            // The events are in the inbox already: a redelivery is a duplicate, which accept ignores.
            LOG.warn("could not delete {} accepted MNS message(s) from {}; they will be redelivered and "
                    + "recognised as duplicates: {}", receiptHandles.size(), configuration.getQueueName(), e.toString());
        }
    }

    /** Extends the visibility of messages still being processed shortly before MNS would hand them out again. */
    private void extendVisibility() {
        long margin = Math.max(2000, configuration.getVisibilityExtensionSeconds() * 1000L / 3);
        for (InFlight tracked : inFlight) {
            if (tracked.visibleUntil - System.currentTimeMillis() < margin) {
                synchronized (tracked) {
                    if (tracked.done) {
                        continue;
                    }
                    try {
                        Message extended = endpoint.queue().changeMessageVisibility(tracked.receiptHandle,
                                configuration.getVisibilityExtensionSeconds());
                        tracked.receiptHandle = extended.getReceiptHandle();
                        tracked.visibleUntil = extended.getNextVisibleTime() == null
                                ? System.currentTimeMillis() + configuration.getVisibilityExtensionSeconds() * 1000L
                                : extended.getNextVisibleTime().getTime();
                    } catch (Exception e) {
                        LOG.warn("could not extend the visibility of MNS message {}: {}", tracked.messageId, e.toString());
                    }
                }
            }
        }
    }

    private void logFailure(Exception e, int failures) {
        String code = errorCode(e);
        long pause = backoff(failures);
        if (code != null && AUTH_ERRORS.contains(code)) {
            if (failures == 1) {
                LOG.error("MNS rejected our credentials for queue {} ({}): check accessKeyId/accessKeySecret/securityToken "
                        + "and the account endpoint; retrying with backoff", configuration.getQueueName(), code);
            }
        } else if (failures == 1 || pause >= configuration.getBackoffMaxMs() && failures % 10 == 0) {
            LOG.warn("MNS receive from {} failed ({} in a row), retrying in {} ms: {}", configuration.getQueueName(),
                    failures, pause, code != null ? code : e.toString());
        }
        LOG.debug("MNS receive failure", e);
    }

    long backoff(int failures) {
        double delay = configuration.getBackoffInitialMs() * Math.pow(configuration.getBackoffMultiplier(), Math.max(0, failures - 1));
        return (long) Math.min(delay, configuration.getBackoffMaxMs());
    }

    private void pause(long millis) {
        long until = System.currentTimeMillis() + millis;
        while (running && System.currentTimeMillis() < until) {
            try {
                Thread.sleep(Math.min(200, Math.max(1, until - System.currentTimeMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** How a message body was read. */
    record MnsBody(byte[] bytes, String encoding, boolean unreadable) {

        /** VOD writes raw JSON; other producers (the SDK's default) write Base64 of it. */
        static MnsBody read(String raw) {
            String text = raw == null ? "" : raw;
            if (looksLikeJson(text)) {
                return new MnsBody(text.getBytes(StandardCharsets.UTF_8), "raw", false);
            }
            try {
                byte[] decoded = Base64.getMimeDecoder().decode(text.trim());
                if (decoded.length > 0 && looksLikeJson(new String(decoded, StandardCharsets.UTF_8))) {
                    return new MnsBody(decoded, "base64", false);
                }
            } catch (IllegalArgumentException notBase64) {
                // unreadable, below
            }
            return new MnsBody(text.getBytes(StandardCharsets.UTF_8), "unreadable", true);
        }

        private static boolean looksLikeJson(String text) {
            String trimmed = text.strip();
            return trimmed.startsWith("{") || trimmed.startsWith("[");
        }
    }
}
