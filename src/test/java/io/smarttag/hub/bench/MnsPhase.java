package io.smarttag.hub.bench;

import com.aliyun.mns.client.CloudQueue;
import com.aliyun.mns.client.MNSClient;
import com.aliyun.mns.client.MNSClientBuilder;
import com.aliyun.mns.model.Message;
import io.smarttag.hub.mns.MnsTestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MNS path: seed events sent with the official SDK (BatchSendMessage, 16 per call, raw JSON
 * bodies as VOD writes them) to the MNS-protocol test server, consumed by the hub's mns: source;
 * measured until every one is done in the database.
 */
final class MnsPhase {

    static final String QUEUE = "vod-bench";
    static final String ACCESS_KEY_ID = "bench-ak";
    static final String ACCESS_KEY_SECRET = "bench-secret";

    private MnsPhase() {
    }

    static Map<String, String> hubProperties(MnsTestServer server) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("hub.mns.queue", QUEUE);
        p.put("hub.mns.account-endpoint", server.endpoint());
        p.put("hub.mns.region", "cn-shanghai");
        p.put("hub.mns.access-key-id", ACCESS_KEY_ID);
        p.put("hub.mns.access-key-secret", ACCESS_KEY_SECRET);
        return p;
    }

    static Map<String, Object> run(MnsTestServer server, Db db, HubUnderTest hub, Events seed, String jobPrefix, int messages)
            throws Exception {
        MNSClient sdk = MNSClientBuilder.create().accountEndpoint(server.endpoint()).region("cn-shanghai")
                .accessKeyId(ACCESS_KEY_ID).accessKeySecret(ACCESS_KEY_SECRET).build();
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            CloudQueue queue = sdk.getQueueRef(QUEUE);
            long t0 = System.nanoTime();
            List<Message> batch = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                Message m = new Message();
                m.setMessageBodyAsRawString(new String(seed.withJobId(jobPrefix + i), StandardCharsets.UTF_8));
                batch.add(m);
                if (batch.size() == 16 || i == messages - 1) {
                    queue.batchPutMessage(batch);
                    batch = new ArrayList<>();
                }
            }
            double sendSeconds = (System.nanoTime() - t0) / 1e9;
            double waited = db.awaitSettled(jobPrefix, messages, 300, hub);
            double allDoneSeconds = (System.nanoTime() - t0) / 1e9;
            out.put("messages", messages);
            out.put("send_seconds", Db.round(sendSeconds));
            out.put("sent_per_s", Db.round(messages / sendSeconds));
            out.put("timed_out", waited < 0);
            out.put("first_send_to_all_done_s", Db.round(allDoneSeconds));
            out.put("events_per_s", Db.round(messages / allDoneSeconds));
            out.put("hub", db.endToEnd(jobPrefix));
            out.put("left_in_queue", server.size(QUEUE));
            return out;
        } finally {
            sdk.close();
        }
    }
}
