package dev.ember.examples;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.HashMap;
import java.util.Map;

/** Reads flamebearer JSON the way a client would, for assertions. */
final class Flamebearers {
  private Flamebearers() {}

  static JsonObject flamebearer(String json) {
    return JsonParser.parseString(json).getAsJsonObject().getAsJsonObject("flamebearer");
  }

  static long numTicks(String json) {
    return flamebearer(json).get("numTicks").getAsLong();
  }

  /** Self value per frame name, summed over every node with that name. */
  static Map<String, Long> selfByName(String json) {
    JsonObject fb = flamebearer(json);
    JsonArray names = fb.getAsJsonArray("names");
    Map<String, Long> self = new HashMap<>();
    for (var level : fb.getAsJsonArray("levels")) {
      JsonArray l = level.getAsJsonArray();
      for (int i = 0; i < l.size(); i += 4) {
        String name = names.get(l.get(i + 3).getAsInt()).getAsString();
        self.merge(name, l.get(i + 2).getAsLong(), Long::sum);
      }
    }
    return self;
  }

  static String hottestSelfFrame(String json) {
    return selfByName(json).entrySet().stream()
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey)
        .orElse(null);
  }
}
