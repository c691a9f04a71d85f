package io.smarttag.hub.event;

import java.util.List;
import java.util.Map;

/** The parsed Data of a smart-tag event: tag items by category (document order) and ASR sentences. */
public record TagResult(Map<String, List<TagItem>> categories, List<AsrSentence> asr) {

    public static TagResult empty() {
        return new TagResult(Map.of(), List.of());
    }
}
