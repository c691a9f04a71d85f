package io.smarttag.hub.mns;

import org.apache.camel.spi.Metadata;

/** Headers the mns consumer sets on each exchange. */
public interface MnsConstants {

    @Metadata(description = "The MNS message id.", javaType = "String")
    String MESSAGE_ID = "CamelMnsMessageId";
    @Metadata(description = "The receipt handle of this delivery (changes when the visibility is extended).", javaType = "String")
    String RECEIPT_HANDLE = "CamelMnsReceiptHandle";
    @Metadata(description = "How many times MNS has handed out this message.", javaType = "Integer")
    String DEQUEUE_COUNT = "CamelMnsDequeueCount";
    @Metadata(description = "When the message was enqueued (epoch ms).", javaType = "Long")
    String ENQUEUE_TIME = "CamelMnsEnqueueTime";
    @Metadata(description = "When the message was first dequeued (epoch ms).", javaType = "Long")
    String FIRST_DEQUEUE_TIME = "CamelMnsFirstDequeueTime";
    @Metadata(description = "How the body was read: raw (JSON as sent), base64 (decoded to JSON) or unreadable.", javaType = "String")
    String BODY_ENCODING = "CamelMnsBodyEncoding";
    @Metadata(description = "True when the body is neither JSON nor Base64 of JSON.", javaType = "Boolean")
    String BODY_UNREADABLE = "CamelMnsBodyUnreadable";
    @Metadata(description = "True when the dequeue count reached maxDequeueCount.", javaType = "Boolean")
    String POISON = "CamelMnsPoison";
}
