package dev.drover.server.skills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.server.http.ApiException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SKILL.md parsing, skill locations, specs and argument substitution: the pure parts of skills. */
class SkillFileTest {

    @Test
    void frontMatterGivesNameAndDescriptionAndKeepsOtherStringKeys() {
        SkillFile f = SkillFile.parse("deploy", """
                ---
                name: Deploy service
                description: Deploys the service to staging
                license: MIT
                allowed-tools: [Bash]
                ---
                # Deploy

                Run the deploy script for $ARGUMENTS.
                """);
        assertThat(f.malformed()).isFalse();
        assertThat(f.name()).isEqualTo("Deploy service");
        assertThat(f.description()).isEqualTo("Deploys the service to staging");
        assertThat(f.attributes()).isEqualTo(Map.of("license", "MIT"));
        assertThat(f.body()).isEqualTo("# Deploy\n\nRun the deploy script for $ARGUMENTS.");
    }

    @Test
    void withoutFrontMatterTheFolderNamesTheSkillAndTheFirstParagraphDescribesIt() {
        SkillFile f = SkillFile.parse("triage", "# Triage\n\nLabel new issues\nand assign owners.\n\nThen report.\n");
        assertThat(f.name()).isEqualTo("triage");
        assertThat(f.description()).isEqualTo("Label new issues and assign owners.");
        SkillFile empty = SkillFile.parse("triage", "---\n---\n" + "x".repeat(600));
        assertThat(empty.name()).isEqualTo("triage");
        assertThat(empty.description()).hasSize(512);
    }

    @Test
    void frontMatterThatDoesNotParseMakesTheSkillMalformed() {
        assertThat(SkillFile.parse("a", "---\nname: [unclosed\n---\nbody").error()).startsWith("the front matter is not valid YAML");
        assertThat(SkillFile.parse("a", "---\n- a list\n---\nbody").error()).contains("mapping");
        assertThat(SkillFile.parse("a", "---\nname: a\nbody without end").error()).contains("never closed");
        assertThat(SkillFile.parse("a", "---\nname: {x: 1}\n---\nbody").error()).contains("name must be a string");
        assertThat(SkillFile.parse("a", "---\r\nname: crlf\r\n---\r\nbody").name()).isEqualTo("crlf");
    }

    @Test
    void skillFilesAreFoundInTheAgentFoldersOnlyAndNestedFoldersCount() {
        assertThat(SkillPaths.locate(".claude/skills/deploy/SKILL.md")).get()
                .satisfies(l -> {
                    assertThat(l.folderName()).isEqualTo("deploy");
                    assertThat(l.precedence()).isEqualTo(2);
                });
        assertThat(SkillPaths.locate(".agents/skills/ops/deploy/SKILL.md")).get()
                .satisfies(l -> assertThat(l.folderName()).isEqualTo("deploy"));
        assertThat(SkillPaths.locate("docs/skills/deploy/SKILL.md")).isEmpty();
        assertThat(SkillPaths.locate(".claude/skills/SKILL.md")).isEmpty();
        assertThat(SkillPaths.locate(".claude/commands/deploy/SKILL.md")).isEmpty();
        assertThat(SkillPaths.locate(".claude/skills/deploy/README.md")).isEmpty();
        assertThat(SkillPaths.FOLDERS.indexOf(".agents")).isLessThan(SkillPaths.FOLDERS.indexOf(".kiro"));
    }

    @Test
    void everySpecFormParsesAndMatchesItsSkill() {
        SkillSpec byName = SkillSpec.parse("skill", "api:deploy");
        assertThat(byName.matches("acme", "api", ".claude/skills/deploy/SKILL.md", "deploy")).isTrue();
        assertThat(byName.matches("other", "api", ".claude/skills/deploy/SKILL.md", "deploy")).isTrue();
        SkillSpec withOwner = SkillSpec.parse("skill", "acme/api:deploy");
        assertThat(withOwner.matches("other", "api", ".claude/skills/deploy/SKILL.md", "deploy")).isFalse();
        SkillSpec byPath = SkillSpec.parse("skill", "api:.claude/skills/deploy");
        assertThat(byPath.isPath()).isTrue();
        assertThat(byPath.matches("acme", "api", ".claude/skills/deploy/SKILL.md", "x")).isTrue();
        SkillSpec variantId = SkillSpec.parse("skill", "acme/api:.claude/skills/deploy/SKILL.md");
        assertThat(variantId.matches("acme", "api", ".claude/skills/deploy/SKILL.md", "x")).isTrue();
        assertThat(variantId.matches("acme", "api", ".agents/skills/deploy/SKILL.md", "x")).isFalse();
        for (String bad : List.of("deploy", ":deploy", "api:", "a/b/c:deploy", "api:/etc/passwd", "api:../x", "a b:c")) {
            assertThatThrownBy(() -> SkillSpec.parse("config.skill_spec", bad)).isInstanceOf(ApiException.class)
                    .hasMessageStartingWith("config.skill_spec:");
        }
    }

    @Test
    void argumentsReplaceTheirPlaceholdersFromThePrompt() {
        assertThat(SkillArguments.substitute("Fix $ARGUMENTS now", "issue 42")).isEqualTo("Fix issue 42 now");
        assertThat(SkillArguments.substitute("first=$ARGUMENTS[0] second=$1 third=$2", "alpha \"beta gamma\""))
                .isEqualTo("first=alpha second=beta gamma third=");
        assertThat(SkillArguments.substitute("costs $5? no: $ARGUMENTS[1]", "a b")).isEqualTo("costs ? no: b");
        assertThat(SkillArguments.usesArguments("plain instructions")).isFalse();
        assertThat(SkillArguments.substitute("$ARGUMENTS", "a $1 b")).isEqualTo("a $1 b");
        assertThat(SkillArguments.substitute("budget $10000000000 and $ARGUMENTS[99999999999]", "x"))
                .as("indexes too large for any prompt are missing arguments, not errors").doesNotContain("$");
        assertThat(SkillArguments.substitute("$ARGUMENTS".repeat(30_000), "y".repeat(100)))
                .as("instructions that would grow past the cap are refused").isNull();
    }
}
