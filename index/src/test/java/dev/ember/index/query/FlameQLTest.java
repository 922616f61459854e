package dev.ember.index.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FlameQLTest {
  @Test
  void parsesTypeAndMatchers() {
    FlameQuery q =
        FlameQL.parse(
            "process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name=\"a\", env!='prod',"
                + " region=~\"eu-.*\", pod!~`x\\d`, }");
    assertThat(q.profileType()).isEqualTo("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
    assertThat(q.matchers())
        .extracting(Matcher::name, Matcher::op, Matcher::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("service_name", Matcher.Op.EQ, "a"),
            org.assertj.core.groups.Tuple.tuple("env", Matcher.Op.NEQ, "prod"),
            org.assertj.core.groups.Tuple.tuple("region", Matcher.Op.RE, "eu-.*"),
            org.assertj.core.groups.Tuple.tuple("pod", Matcher.Op.NRE, "x\\d"));
  }

  @Test
  void emptySelectorAndBareType() {
    assertThat(FlameQL.parse("{}").matchers()).isEmpty();
    assertThat(FlameQL.parse("{}").profileType()).isEmpty();
    assertThat(FlameQL.parse("cpu").profileType()).isEqualTo("cpu");
  }

  @Test
  void regexesAreFullyAnchoredAndEmptyMeansAbsent() {
    Matcher re = Matcher.of("l", Matcher.Op.RE, "a.*");
    assertThat(re.matches("abc")).isTrue();
    assertThat(re.matches("xa")).isFalse();
    Matcher absent = Matcher.of("l", Matcher.Op.EQ, "");
    assertThat(absent.matches(null)).isTrue();
    assertThat(absent.matches("v")).isFalse();
  }

  @Test
  void samplesAndSeriesMatchersAreSeparated() {
    FlameQuery q = FlameQL.parse("cpu{service_name=\"a\",span_id=\"00ff\",thread_name=~\"w.*\"}");
    assertThat(q.seriesMatchers()).extracting(Matcher::name).containsExactly("service_name");
    assertThat(q.sampleMatchers())
        .extracting(Matcher::name)
        .containsExactly("span_id", "thread_name");
  }

  @Test
  void errorsSayWhereAndWhat() {
    assertThatThrownBy(() -> FlameQL.parse("cpu{service_name \"a\"}"))
        .isInstanceOf(FlameQLException.class)
        .hasMessageContaining("column 17")
        .hasMessageContaining("expected '=', '!=', '=~' or '!~' after label name 'service_name'");
    assertThatThrownBy(() -> FlameQL.parse("cpu{a=\"x}"))
        .hasMessageContaining("unterminated string")
        .hasMessageContaining("column 6");
    assertThatThrownBy(() -> FlameQL.parse("cpu{a=\"x\"")).hasMessageContaining("expected '}'");
    assertThatThrownBy(() -> FlameQL.parse("cpu{a=~\"(\"}"))
        .hasMessageContaining("invalid regular expression for a");
    assertThatThrownBy(() -> FlameQL.parse("")).hasMessageContaining("expected a profile type");
  }

  @Test
  void theTypeMayComeAsANameMatcherAsInPrometheus() {
    FlameQuery q =
        FlameQL.parse("{__name__=\"process_cpu:cpu:nanoseconds:cpu:nanoseconds\", a=\"b\"}");
    assertThat(q.profileType()).isEqualTo("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
    assertThat(q.matchers()).extracting(Matcher::name).containsExactly("a");
    assertThat(FlameQL.parse("cpu{__profile_type__=\"cpu\"}").profileType()).isEqualTo("cpu");
    assertThatThrownBy(() -> FlameQL.parse("cpu{__name__=\"memory\"}"))
        .hasMessageContaining("the profile type is given twice: 'cpu' and 'memory'")
        .hasMessageContaining("column 4");
    assertThatThrownBy(() -> FlameQL.parse("{__name__=~\"cpu.*\"}"))
        .hasMessageContaining("only '=' can select the profile type");
  }

  @Test
  void profileTypesResolveInEveryForm() {
    java.util.List<String> stored =
        java.util.List.of(
            "process_cpu:cpu:nanoseconds:cpu:nanoseconds", "memory:alloc_space:bytes:space:bytes");
    assertThat(ProfileTypes.resolve("cpu", stored)).isEqualTo(stored.get(0));
    assertThat(ProfileTypes.resolve("process_cpu:cpu:nanoseconds", stored))
        .isEqualTo(stored.get(0));
    assertThat(ProfileTypes.resolve("alloc_space", stored)).isEqualTo(stored.get(1));
    assertThat(ProfileTypes.resolve("memory", stored)).isEqualTo(stored.get(1));
    // A full ID needs no stored data: the answer is just empty.
    assertThat(ProfileTypes.resolve("wall:wall:nanoseconds:wall:nanoseconds", stored))
        .isEqualTo("wall:wall:nanoseconds:wall:nanoseconds");
    assertThatThrownBy(() -> ProfileTypes.resolve("", stored))
        .hasMessageContaining("the query names no profile type; choose one of");
    assertThatThrownBy(() -> ProfileTypes.resolve("wall", stored))
        .hasMessageContaining("unknown profile type 'wall'");
  }
}
