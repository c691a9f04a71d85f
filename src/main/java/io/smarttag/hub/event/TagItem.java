package io.smarttag.hub.event;

import java.util.List;

/** One tag of a category: its text, the times (ms) it occurs at, and a face thumbnail for Person tags. */
public record TagItem(String tag, List<Long> times, String faceUrl) {
}
