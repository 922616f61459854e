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
}
