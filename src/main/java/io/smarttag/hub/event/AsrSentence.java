package io.smarttag.hub.event;

/** One sentence of OrigASRData, numbered across the whole result. */
public record AsrSentence(int seq, Long startMs, Long endMs, String text, Integer channelId, Integer speechRate) {
}
