package io.smarttag.hub.sql;

import io.smarttag.hub.event.AsrSentence;
import io.smarttag.hub.event.EventTimes;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.inbox.EventWork;
import java.sql.Types;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The named parameters a sql destination's statements can use ({@code :?jobId}), each with its JDBC
 * type and where its value comes from: the inbox row, the parsed event, one tag occurrence or one ASR
 * sentence. Nothing a request carried can be a parameter. docs/destinations.md lists them.
 */
public enum SqlParameter {
    INBOX_ID("inboxId", Scope.EVENT, Types.VARCHAR, r -> r.work().getInboxId()),
    RECEIVED_AT("receivedAt", Scope.EVENT, Types.TIMESTAMP_WITH_TIMEZONE, r -> r.work().getReceivedAt()),
    EVENT_TYPE("eventType", Scope.EVENT, Types.VARCHAR, r -> r.event().getEventType()),
    JOB_ID("jobId", Scope.EVENT, Types.VARCHAR, r -> r.event().getJobId()),
    MEDIA_ID("mediaId", Scope.EVENT, Types.VARCHAR, r -> r.event().getMediaId()),
    STATUS("status", Scope.EVENT, Types.VARCHAR, r -> r.event().getStatus()),
    CODE("code", Scope.EVENT, Types.VARCHAR, r -> r.event().getCode()),
    MESSAGE("message", Scope.EVENT, Types.VARCHAR, r -> r.event().getMessage()),
    EVENT_TIME("eventTime", Scope.EVENT, Types.TIMESTAMP_WITH_TIMEZONE, r -> EventTimes.parseUtc(r.event().getEventTime())),
    CATEGORY("category", Scope.TAG, Types.VARCHAR, r -> r.tag().get("category")),
    TAG("tag", Scope.TAG, Types.VARCHAR, r -> r.tag().get("tag")),
    TIME_MS("timeMs", Scope.TAG, Types.BIGINT, r -> r.tag().get("timeMs")),
    FACE_URL("faceUrl", Scope.TAG, Types.VARCHAR, r -> r.tag().get("faceUrl")),
    ITEM_INDEX("itemIndex", Scope.TAG, Types.INTEGER, r -> r.tag().get("itemIndex")),
    SEQ("seq", Scope.ASR, Types.INTEGER, r -> r.asr().get("seq")),
    START_MS("startMs", Scope.ASR, Types.BIGINT, r -> r.asr().get("startMs")),
    END_MS("endMs", Scope.ASR, Types.BIGINT, r -> r.asr().get("endMs")),
    TEXT("text", Scope.ASR, Types.VARCHAR, r -> r.asr().get("text")),
    CHANNEL_ID("channelId", Scope.ASR, Types.INTEGER, r -> r.asr().get("channelId")),
    SPEECH_RATE("speechRate", Scope.ASR, Types.INTEGER, r -> r.asr().get("speechRate"));

    /** Which rows a parameter has a value in: every statement, tag-statement or asr-statement. */
    public enum Scope { EVENT, TAG, ASR }

    /** One row being written: the event, and the tag occurrence or ASR sentence (as EventRows gives them). */
    public record Row(EventWork work, VodEvent event, Map<String, Object> tag, Map<String, Object> asr) {
    }

    private static final Map<String, SqlParameter> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(SqlParameter::parameterName, p -> p));

    private final String parameterName;
    private final Scope scope;
    private final int sqlType;
    private final Function<Row, Object> value;

    SqlParameter(String parameterName, Scope scope, int sqlType, Function<Row, Object> value) {
        this.parameterName = parameterName;
        this.scope = scope;
        this.sqlType = sqlType;
        this.value = value;
    }

    public String parameterName() {
        return parameterName;
    }

    public int sqlType() {
        return sqlType;
    }

    public Object valueIn(Row row) {
        return value.apply(row);
    }

    /** The parameter of this name that a statement of the given scope can use, or null. */
    public static SqlParameter named(String name, Scope statementScope) {
        SqlParameter parameter = BY_NAME.get(name);
        return parameter == null || (parameter.scope != Scope.EVENT && parameter.scope != statementScope) ? null : parameter;
    }

    /** The names a statement of the given scope can use, for the message that refuses another. */
    public static List<String> namesFor(Scope statementScope) {
        return Arrays.stream(values()).filter(p -> p.scope == Scope.EVENT || p.scope == statementScope)
                .map(SqlParameter::parameterName).toList();
    }
}
