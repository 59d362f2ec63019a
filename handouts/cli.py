"""The command line: parse options, call one library function, print the result."""

from __future__ import annotations

import atexit
import datetime as _dt
import gc
import sys
from pathlib import Path

import click

from handouts.errors import HandoutsError, display_path
from handouts.inputs.paths import Roots


class _Root:
    def __init__(self, roots: Roots):
        self.roots = roots


def _roots(ctx: click.Context) -> Roots:
    return ctx.find_object(_Root).roots


def _date(ctx, param, value: str | None) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date like 2026-11-26") from None


def _output_file(ctx, param, value: str | None) -> Path | None:
    """A file name; "folder/" would otherwise silently become a file called "folder"."""
    if value is None:
        return None
    if value.endswith(("/", "\\")):
        raise HandoutsError(f"'{value}' is a folder; give a file name ending in .pdf")
    return Path(value)


class _Group(click.Group):
    """Turns every HandoutsError into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except HandoutsError as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # the reader went away (`handouts list | head`): stop quietly
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # nothing left to flush at exit
            ctx.exit(1)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as error:  # a bug: still one line, and a distinct exit code
            click.echo(f"error: unexpected problem ({type(error).__name__}: "
                       f"{' '.join(str(error).split())[:300]}); please report it", err=True)
            ctx.exit(3)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder holding content/, clinics/ and layouts/.")
@click.option("--content-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Topic content folder (default ROOT/content).")
@click.option("--clinics-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Clinic profiles folder (default ROOT/clinics).")
@click.option("--layouts-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Layouts folder (default ROOT/layouts).")
@click.version_option(package_name="handouts")
@click.pass_context
def main(ctx: click.Context, root: Path, content_dir: Path | None, clinics_dir: Path | None,
         layouts_dir: Path | None) -> None:
    """Make clinic-branded, print-ready PDF patient handouts.

    \b
    Example:
      handouts generate bone-metastasis --clinic riverside
      handouts list
    """
    if ctx.invoked_subcommand != "generate":  # generate does this once its modules are loaded
        _collect_normally()
    base = Roots.under(root)
    ctx.obj = _Root(Roots(content_dir or base.content, clinics_dir or base.clinics,
                          layouts_dir or base.layouts))


def _records_options(command):
    """--staff, --patient-reference and --database-url: record education given."""
    from handouts.records.database_url import DATABASE_URL_ENV, DEFAULT_DATABASE_URL

    command = click.option(
        "--database-url", envvar=DATABASE_URL_ENV, default=DEFAULT_DATABASE_URL,
        show_default=True, metavar="URL",
        help=f"Records database (also ${DATABASE_URL_ENV}); the web app's by default.")(command)
    command = click.option(
        "--patient-reference", metavar="MRN",
        help="Chart number to keep with the record (only if the clinic turned it on).")(command)
    return click.option(
        "--staff", metavar="NAME",
        help="Record that NAME gave this handout (records of education given).")(command)


def _print_warnings(warnings) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


@main.command()
@click.argument("topic")
@click.option("--clinic", required=True, help="Clinic profile: clinics/SLUG.toml.")
@click.option("--lang", default="en", show_default=True, help="Language code, e.g. en, es.")
@click.option("--level", default="standard", show_default=True,
              help="Reading level, e.g. easy, standard.")
@click.option("--layout", default="letter", show_default=True,
              help="Layout: layouts/NAME.toml (letter, a4, large-print, ...).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str),
              callback=_output_file,
              help="PDF to write (default output/TOPIC-CLINIC-LANG-LEVEL-LAYOUT.pdf).")
@click.option("--date", callback=_date, metavar="YYYY-MM-DD",
              help="Printed date (default: SOURCE_DATE_EPOCH, else today).")
@click.option("--impose/--no-impose", default=True, show_default=True,
              help="Booklet layouts: print-ready sheets, or the reader's page-by-page PDF.")
@click.option("--marks", type=click.Choice(["office", "print-shop"]), is_flag=False,
              flag_value="office", default=None,
              help="Booklet layouts: fold marks for an office printer (--marks), or a "
                   "print shop's larger sheet with bleed, trim and fold marks "
                   "(--marks print-shop).")
@click.option("--patient-name", help="Print 'Prepared for NAME' on the first page.")
@click.option("--note", help="A clinician's note for the first page.")
@click.option("--password-env", metavar="VAR",
              help="Encrypt (AES-256) with the password in environment variable VAR.")
@click.option("--chart-strip", type=click.Choice(["page", "label"]),
              help="An 'education given' block for paper charts: at the foot of the last "
                   "page, or as a separate 4 x 2 in label PDF beside the handout.")
@_records_options
@click.option("--format", "output_format", type=click.Choice(["pdf", "html"]), default="pdf",
              show_default=True,
              help="pdf, or html: the accessible web page edition (one self-contained file).")
@click.pass_context
def generate(ctx: click.Context, topic: str, clinic: str, lang: str, level: str, layout: str,
             output: Path | None, date: _dt.date | None, impose: bool, marks: str | None,
             patient_name: str | None, note: str | None, password_env: str | None,
             chart_strip: str | None, staff: str | None, patient_reference: str | None,
             database_url: str, output_format: str) -> None:
    """Generate one handout as a PDF (or its HTML edition) and print where it was written.

    \b
    Example:
      handouts generate bone-metastasis --clinic riverside --layout large-print
      handouts generate bone-metastasis --clinic lakeside --lang es --level easy -o es.pdf
      handouts generate bone-metastasis --clinic riverside --layout booklet-letter --marks
      handouts generate bone-metastasis --clinic lakeside --staff "Ana R." --chart-strip label
      handouts generate bone-metastasis --clinic riverside --format html
    """
    from handouts.build import default_output_name
    from handouts.build import generate as generate_handout
    from handouts.document.assemble import Options
    from handouts.records.education import (
        chart_strip_finisher,
        record_generated,
        write_chart_label,
    )

    _collect_normally()
    if patient_reference and not staff:
        raise click.UsageError("--patient-reference goes with --staff (it is kept in the "
                               "record of education given)")
    options = Options(lang=lang, level=level, date=date, patient_name=patient_name, note=note)
    finish = chart_strip_finisher(staff, impose) if chart_strip == "page" else None
    path, handout = generate_handout(_roots(ctx), topic, clinic, layout, options, output,
                                     impose=impose, marks=marks, password_env=password_env,
                                     finish=finish, output_format=output_format)
    _print_warnings(handout.warnings)
    click.echo(display_path(path))
    if chart_strip == "label":
        click.echo(display_path(write_chart_label(handout, staff, path)))
    if staff:
        number = record_generated(database_url, handout, path, staff, layout,
                                  default_output_name(topic, clinic, options, layout),
                                  patient_reference)
        click.echo(f"recorded: education given, record {number}")


@main.command()
@click.argument("plan", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--all", "all_topics", is_flag=True,
              help="Every topic in every language and level (needs --clinic).")
@click.option("--clinic", "clinics", multiple=True, help="Clinic for --all (repeatable).")
@click.option("--layout", "layouts", multiple=True,
              help="Layout for --all (repeatable; default letter).")
@click.option("--copies", default=1, show_default=True, type=click.IntRange(1, 500),
              help="Copies of each handout in the pack (--all).")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the PDFs (default: the plan's 'output', else output/).")
@click.option("--pack", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write one merged PDF for a single duplex print job.")
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a manifest of every file (.json or .csv).")
@click.option("--separator", is_flag=True, help="Start the pack with a page listing it.")
@click.option("--force", is_flag=True, help="Rebuild even outputs that are up to date.")
@click.option("--jobs", type=click.IntRange(1, 64), help="Parallel builds (default: cores).")
@click.option("--date", callback=_date, metavar="YYYY-MM-DD",
              help="Printed date (default: SOURCE_DATE_EPOCH, else today).")
@click.option("--impose/--no-impose", default=True, show_default=True,
              help="Booklet layouts: print-ready sheets, or the reader's PDF.")
@click.option("--marks", type=click.Choice(["office", "print-shop"]), is_flag=False,
              flag_value="office", default=None,
              help="Booklet layouts: fold marks for an office printer (--marks), or a "
                   "print shop's larger sheet with bleed, trim and fold marks "
                   "(--marks print-shop).")
@click.pass_context
def batch(ctx: click.Context, plan: Path | None, all_topics: bool, clinics: tuple[str, ...],
          layouts: tuple[str, ...], copies: int, output_dir: Path | None, pack: Path | None,
          manifest: Path | None, separator: bool, force: bool, jobs: int | None,
          date: _dt.date | None, impose: bool, marks: str | None) -> None:
    """Build many handouts in parallel; skip the ones whose inputs have not changed.

    \b
    Example:
      handouts batch waiting-room.toml
      handouts batch --all --clinic riverside --layout booklet-letter --pack pack.pdf
    """
    from handouts.batch import expand_job, job_for_clinics, job_from_plan, run_job

    if plan is not None and all_topics:
        raise click.UsageError("give a PLAN file or --all, not both")
    if plan is not None:
        job = job_from_plan(plan, output_dir, pack, manifest, separator, date)
    elif all_topics:
        if not clinics:
            raise click.UsageError("--all needs --clinic SLUG")
        job = job_for_clinics(clinics, layouts, copies, output_dir, pack, manifest, separator,
                              date)
    else:
        raise click.UsageError("give a PLAN file, or --all --clinic SLUG")
    job = expand_job(_roots(ctx), job)
    with click.progressbar(length=len(job.items), label="Building", file=sys.stderr,
                           show_pos=True) as bar:
        def done(result) -> None:
            if result.status == "failed":
                click.echo(f"\nfailed: {result.item.label}: {result.reason}", err=True)
            bar.update(1)

        summary = run_job(_roots(ctx), job, force=force, impose=impose, marks=marks,
                          jobs=jobs, on_result=done)
    counts = {status: summary.count(status) for status in ("built", "skipped", "failed")}
    click.echo(f"built {counts['built']}, skipped {counts['skipped']}, failed "
               f"{counts['failed']} in {summary.seconds:.1f} s -> {display_path(job.output_dir)}")
    if job.pack is not None:
        click.echo(f"pack: {display_path(job.pack)} ({summary.pack_pages} pages)")
    if job.manifest is not None:
        click.echo(f"manifest: {display_path(job.manifest)}")
    if counts["failed"]:
        ctx.exit(1)


@main.command()
@click.argument("topic", required=False)
@click.option("--clinic", help="Clinic profile (its [mail] settings are used).")
@click.option("--to", "to", help="The patient's email address.")
@click.option("--lang", default="en", show_default=True)
@click.option("--level", default="standard", show_default=True)
@click.option("--layout", default="letter", show_default=True)
@click.option("--patient-name", help="Print 'Prepared for NAME' on the first page.")
@click.option("--note", help="A clinician's note for the first page.")
@click.option("--password-env", metavar="VAR",
              help="Encrypt the PDF with the password in environment variable VAR.")
@click.option("--send", is_flag=True, help="Send now over SMTP (the clinic's [mail] settings).")
@click.option("--save-eml", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the message to a file for your own mail program instead.")
@click.option("--resend", type=click.Path(dir_okay=False, path_type=Path),
              help="Send a message kept in the outbox again.")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path),
              default=Path("outbox"), show_default=True,
              help="Where unsent messages are kept.")
@click.option("--date", callback=_date, metavar="YYYY-MM-DD", help="Printed date.")
@click.option("--unencrypted-accepted", is_flag=True,
              help="The patient was warned that an unencrypted email is not private and "
                   "accepted it (recorded with --staff).")
@_records_options
@click.option("--attach-html", is_flag=True,
              help="Also attach the accessible web page edition (not with a password).")
@click.pass_context
def email(ctx: click.Context, topic: str | None, clinic: str | None, to: str | None, lang: str,
          level: str, layout: str, patient_name: str | None, note: str | None,
          password_env: str | None, send: bool, save_eml: Path | None, resend: Path | None,
          outbox: Path, date: _dt.date | None, unencrypted_accepted: bool, staff: str | None,
          patient_reference: str | None, database_url: str,
          attach_html: bool) -> None:
    """Email a handout to a patient: save the message, or send it over SMTP.

    The password is read from an environment variable, never typed on the command line.
    A message that cannot be sent is kept in the outbox for --resend.

    \b
    Example:
      HANDOUT_PW=... handouts email bone-metastasis --clinic riverside \\
          --to patient@example.org --patient-name "..." --password-env HANDOUT_PW \\
          --save-eml out.eml
      handouts email --resend outbox/20261126T101500Z-bone-metastasis-1a2b3c4d5e.eml
    """
    from handouts.document.assemble import Options
    from handouts.send import email_handout
    from handouts.send import resend as resend_message

    roots = _roots(ctx)
    if resend is not None:
        resend_message(roots, resend, clinic, outbox)
        click.echo("sent")  # no address: logs never carry a patient's details
        return
    if not topic or not clinic or not to:
        raise click.UsageError("give TOPIC, --clinic and --to (or --resend FILE)")
    from handouts.records.education import EmailRecord, email_delivery

    record = None
    if staff:
        if save_eml is not None:
            raise click.UsageError("--staff records a handout sent with --send; a message "
                                   "saved with --save-eml is not sent yet")
        record = EmailRecord(database_url, staff, clinic, topic, lang, level, layout,
                             email_delivery(password_env, unencrypted_accepted),
                             patient_reference)
    elif patient_reference:
        raise click.UsageError("--patient-reference goes with --staff")
    options = Options(lang=lang, level=level, date=date, patient_name=patient_name, note=note)
    try:
        result = email_handout(roots, topic, clinic, to, layout=layout, options=options,
                               password_env=password_env, send=send, save_eml=save_eml,
                               outbox=outbox, attach_html=attach_html)
    except HandoutsError as error:
        if record is not None and getattr(error, "sent", None):
            number = record.write(error.sent, "kept-in-outbox", _roots(ctx))
            click.echo(f"recorded: kept in the outbox, record {number}", err=True)
        raise
    if record is not None:
        number = record.write({"form_id": result.form_id, "title": result.title,
                               "pdf_sha1": result.pdf_sha1}, "sent", _roots(ctx))
        click.echo(f"recorded: education given, record {number}")
    protected = ", password-protected" if result.protected else ""
    if result.action == "saved":
        click.echo(f"saved {display_path(result.path)} "
                   f"({result.attachment_bytes / 1024:.0f} KB attachment{protected})")
    else:
        click.echo(f"sent ({result.attachment_bytes / 1024:.0f} KB attachment{protected})")


@main.command()
@click.argument("topics", nargs=-1)
@click.option("--lang", help="Only this language.")
@click.option("--level", help="Only this reading level.")
@click.option("--max-grade", type=click.FloatRange(1, 20),
              help="Also fail any version whose grade is above N.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]),
              default="table", show_default=True)
@click.option("--date", callback=_date, metavar="YYYY-MM-DD",
              help="Check review due dates as of this day (default today).")
@click.option("--clinic", "clinics", multiple=True,
              help="Check only this clinic's own sections (repeatable; default every "
                   "clinic's).")
@click.option("--strict", is_flag=True,
              help="Also fail on warnings: reviews due soon, translations or clinic "
                   "sections behind the text they were made from.")
@click.option("--accessibility", is_flag=True,
              help="Instead: build each version's reader's PDF in every layout (or --layout) "
                   "and check it is a clean tagged PDF (PDF/UA-1 rules), reads in the "
                   "Markdown's order, has headings without skipped levels and declares its "
                   "language.")
@click.option("--layout", "layouts", multiple=True,
              help="With --accessibility: only this layout (repeatable).")
@click.pass_context
def check(ctx: click.Context, topics: tuple[str, ...], lang: str | None, level: str | None,
          max_grade: float | None, output_format: str, date: _dt.date | None,
          clinics: tuple[str, ...], strict: bool, accessibility: bool,
          layouts: tuple[str, ...]) -> None:
    """Score readability and lint plain language; check review dates, translations and
    clinics' own sections; fail on anything above its target or out of date.

    \b
    Example:
      handouts check
      handouts check bone-metastasis --lang es --level easy --format json
      handouts check --date 2027-06-01 --strict
      handouts check --accessibility --clinic riverside
    """
    if accessibility:
        _check_accessibility(ctx, topics, lang, level, output_format, clinics, layouts)
        return
    from handouts.check import check_topics, format_table, write_json

    reports = check_topics(_roots(ctx), list(topics) or None, lang, level, max_grade,
                           today=date, clinics=list(clinics) or None)
    click.echo(write_json(reports) if output_format == "json" else format_table(reports))
    if not all(report.passed and not (strict and report.warnings) for report in reports):
        ctx.exit(1)


def _check_accessibility(ctx: click.Context, topics: tuple[str, ...], lang: str | None,
                         level: str | None, output_format: str, clinics: tuple[str, ...],
                         layouts: tuple[str, ...]) -> None:
    import json

    from handouts.check import ACCESSIBILITY_LAYOUTS, check_accessibility, format_accessibility
    from handouts.inputs.clinics import clinic_names

    roots = _roots(ctx)
    names = list(clinics) or clinic_names(roots)[:1]  # branding does not change the tags
    if not names:
        raise HandoutsError("there is no clinic profile to build the handouts with")
    reports = []
    for clinic in names:
        reports += check_accessibility(roots, clinic, list(topics) or None, lang, level,
                                       layouts or ACCESSIBILITY_LAYOUTS)
    if output_format == "json":
        click.echo(json.dumps({"passed": all(r.passed for r in reports),
                               "reports": [r.as_dict() for r in reports]}, indent=2,
                              ensure_ascii=False))
    else:
        click.echo(format_accessibility(reports))
    if not all(report.passed for report in reports):
        ctx.exit(1)


@main.command()
@click.argument("words", nargs=-1)
@click.option("--code", help="A clinical code, e.g. C79.51 (ICD-10-CM).")
@click.option("--system", default="icd10cm", show_default=True,
              type=click.Choice(["icd10cm", "snomed", "rxnorm", "loinc"]),
              help="The code's system.")
@click.option("--lang", help="Search words in this language only (default: every language).")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]),
              default="table", show_default=True)
@click.pass_context
def find(ctx: click.Context, words: tuple[str, ...], code: str | None, system: str,
         lang: str | None, output_format: str) -> None:
    """Find handouts by a diagnosis, medicine or lab code, or by words in any language.

    A code finds topics coded with it or with a broader code above it (C79.51 finds a
    topic coded C79.5), and says why each one matched.

    \b
    Example:
      handouts find --code C79.51
      handouts find --code 66931009 --system snomed
      handouts find calcio alto
      handouts find bone --format json
    """
    import json

    from handouts.errors import Warnings
    from handouts.inputs.codes import SYSTEMS, description
    from handouts.topic_search import find_by_code, find_by_words

    if bool(code) == bool(words):
        raise click.UsageError("give --code CODE, or words to search for (not both)")
    warnings = Warnings()
    if code:
        found = find_by_code(_roots(ctx), code, system, warnings)
        asked = found[0].code_match.asked if found else code.strip()
        heading = f"{SYSTEMS[system].name} {asked}"
        if found and system == "icd10cm":
            heading += f" ({description(system, asked)})"
    else:
        found = find_by_words(_roots(ctx), " ".join(words), lang, warnings)
        heading = f"'{' '.join(words)}'"
    _print_warnings(warnings)
    if output_format == "json":
        click.echo(json.dumps([item.as_json() for item in found], ensure_ascii=False,
                              indent=2))
        return
    if not found:
        click.echo(f"No topic matches {heading}.")
        return
    click.echo(f"{len(found)} topic{'s' if len(found) != 1 else ''} for {heading}:")
    for item in found:
        topic = item.topic
        versions = ", ".join(f"{code_} ({'/'.join(topic.languages[code_].levels)})"
                             for code_ in sorted(topic.languages))
        click.echo(f"  {topic.slug}: {item.title(lang or 'en')}")
        click.echo(f"      languages: {versions}; reviewed {topic.reviewed.isoformat()}")
        click.echo(f"      why: {'; '.join(item.reasons)}")


@main.group()
def records() -> None:
    """Records of education given: export them, enter teach-back outcomes.

    \b
    Example:
      handouts records export --since 2026-11-01 --format fhir -o given.json
      handouts records teach-back 12 understood
    """


def _database_url_option(command):
    from handouts.records.database_url import DATABASE_URL_ENV, DEFAULT_DATABASE_URL

    return click.option("--database-url", envvar=DATABASE_URL_ENV, default=DEFAULT_DATABASE_URL,
                        show_default=True, metavar="URL",
                        help=f"Records database (also ${DATABASE_URL_ENV}).")(command)


@records.command("export")
@click.option("--since", callback=_date, metavar="YYYY-MM-DD",
              help="Records given on or after this day (UTC; default: all).")
@click.option("--until", callback=_date, metavar="YYYY-MM-DD",
              help="Records given before this day (UTC).")
@click.option("--clinic", help="Only this clinic's records.")
@click.option("--format", "output_format", type=click.Choice(["csv", "fhir"]), default="csv",
              show_default=True, help="CSV for a spreadsheet, or a FHIR R4 Bundle (JSON).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: print to the screen).")
@_database_url_option
@click.pass_context
def records_export(ctx: click.Context, since: _dt.date | None, until: _dt.date | None,
                   clinic: str | None, output_format: str, output: Path | None,
                   database_url: str) -> None:
    """Export records of education given as CSV or as a FHIR R4 Bundle.

    \b
    Example:
      handouts records export --since 2026-11-01
      handouts records export --format fhir -o given.json
    """
    from handouts.records.export import export_text
    from handouts.records.given import given_since
    from handouts.records.store import open_database_creating_folder

    engine = open_database_creating_folder(database_url)
    try:
        found = given_since(engine, since, until, clinic=clinic)
    finally:
        engine.dispose()
    text = export_text(found, output_format, _roots(ctx))
    if output is None:
        click.echo(text, nl=False)
        return
    from handouts.finishing.atomic_write import write_atomically

    write_atomically(output, text.encode("utf-8"))
    click.echo(f"{len(found)} record{'s' if len(found) != 1 else ''} -> {display_path(output)}")


@records.command("teach-back")
@click.argument("number", type=click.IntRange(1))
@click.argument("outcome", type=click.Choice(["understood", "needs-review", "not-assessed",
                                              "declined", "clear"]))
@_database_url_option
def records_teach_back(number: int, outcome: str, database_url: str) -> None:
    """Enter the teach-back outcome of record NUMBER (or clear it).

    \b
    Example:
      handouts records teach-back 12 understood
    """
    from handouts.records.given import set_teach_back
    from handouts.records.store import open_database_creating_folder

    engine = open_database_creating_folder(database_url)
    try:
        set_teach_back(engine, number, None if outcome == "clear" else outcome)
    finally:
        engine.dispose()
    click.echo(f"record {number}: teach-back {outcome}")


@main.command("list")
@click.option("--date", callback=_date, metavar="YYYY-MM-DD",
              help="Show review due dates as of this day (default today).")
@click.pass_context
def list_command(ctx: click.Context, date: _dt.date | None) -> None:
    """List topics (with languages, levels and review due dates), clinics and layouts.

    \b
    Example:
      handouts list
    """
    from handouts.inputs.clinic_content import overridden_versions
    from handouts.inputs.clinics import clinic_names
    from handouts.inputs.layouts import layout_names
    from handouts.inputs.topics import load_topic, topic_names
    from handouts.lifecycle import review_status

    roots = _roots(ctx)
    click.echo("Topics:")
    for name in topic_names(roots):
        try:
            topic = load_topic(roots, name)
            versions = ", ".join(f"{lang}: {'/'.join(topic.languages[lang].levels)}"
                                 for lang in sorted(topic.languages))
            review = review_status(topic, date or _dt.date.today())
            state = {"overdue": "OVERDUE", "due-soon": f"in {review.days_left} days",
                     "future": "check 'reviewed'"}.get(review.state)
            due = f"review due {review.due.isoformat()}" + (f" ({state})" if state else "")
            click.echo(f"  {name}  ({versions})  {due}")
        except HandoutsError as error:
            click.echo(f"  {name}  (cannot be read: {error})")
    click.echo("Clinics:")
    for name in clinic_names(roots):
        own = overridden_versions(roots.clinics / name)
        click.echo(f"  {name}" + ("  (own sections: " + ", ".join(
            f"{topic} {lang}/{level}" for topic, lang, level in own) + ")" if own else ""))
    click.echo("Layouts:")
    for name in layout_names(roots):
        click.echo(f"  {name}")


def _web_settings(ctx: click.Context, data_dir: Path, database_url: str | None,
                  clinic: str | None = None, https: bool = False, workers: int = 0):
    from handouts.web.settings import WebSettings

    return WebSettings(roots=_roots(ctx), data_dir=data_dir, database_url=database_url,
                       default_clinic=clinic, https=https, build_workers=workers)


_DATA_DIR = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
                         default=Path("var"), show_default=True,
                         help="Folder for the database, the outbox and print packs.")
_DATABASE = click.option("--database-url", envvar="HANDOUTS_DATABASE_URL",
                         help="Records database (default: SQLite in the data folder), e.g. "
                              "postgresql+psycopg://user@host/db.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every network interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@_DATA_DIR
@_DATABASE
@click.option("--clinic", help="Clinic preselected for staff who have not chosen one.")
@click.option("--https", is_flag=True,
              help="Served over HTTPS (by a proxy in front): cookies are sent only over HTTPS.")
@click.option("--workers", type=click.IntRange(0, 64),
              help="Processes that build handouts (default: one per core; 0: none, build "
                   "in the server's process).")
@click.option("--address", help="The address staff open, when not where it listens (behind a "
                                "proxy), e.g. https://handouts.clinic.example; kept in the data "
                                "folder for the links 'handouts users add' prints.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, data_dir: Path, database_url: str | None,
          clinic: str | None, https: bool, workers: int | None, address: str | None) -> None:
    """Start the web app for clinic staff.

    On first start it prints a one-time link to choose the administrator's password.

    \b
    Example:
      handouts serve
      handouts serve --host 0.0.0.0 --port 8080 --clinic riverside
    """
    import os

    from handouts.web.serve import serve as serve_app

    workers = (os.cpu_count() or 1) if workers is None else workers
    serve_app(_web_settings(ctx, data_dir, database_url, clinic, https, workers), host, port,
              say=click.echo, address=_checked_address(address) if address else None)


def _checked_address(address: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.netloc or not address.isprintable():
        raise click.BadParameter(f"'{address[:80]}' is not a web address; give one like "
                                 "http://clinic-pc:8000", param_hint="--address")
    return address


@main.group()
def users() -> None:
    """Staff accounts of the web app."""


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", default="", help="The person's name, as shown.")
@click.option("--admin", is_flag=True, help="An administrator (accounts, clinic profiles).")
@click.option("--address", help="The app's address, for the sign-in link (default: the "
                                "address 'handouts serve' kept in the data folder when it "
                                "started).")
@_DATA_DIR
@_DATABASE
@click.pass_context
def users_add(ctx: click.Context, username: str, display_name: str, admin: bool, address: str,
              data_dir: Path, database_url: str | None) -> None:
    """Add an account and print its one-time sign-in link (there is no default password).

    \b
    Example:
      handouts users add jsmith --name "Jo Smith"
    """
    from handouts.records import accounts
    from handouts.web.serve import DEFAULT_ADDRESS, recorded_address, sign_in_url
    from handouts.web.settings import open_records

    known = _checked_address(address) if address else recorded_address(data_dir)
    engine = open_records(_web_settings(ctx, data_dir, database_url))
    user = accounts.create_user(engine, username, "admin" if admin else "staff", display_name)
    token = accounts.issue_sign_in_link(engine, user.username)
    click.echo(f"added {user.username} ({user.role}); send them this one-time link (it works "
               f"once, for 24 hours):\n  {sign_in_url(known or DEFAULT_ADDRESS, token)}")
    if known is None:
        click.echo(f"(The server has not run with this data folder yet, so {DEFAULT_ADDRESS} is "
                   "a guess: if staff open the app at another address, put that before "
                   "/welcome/..., or give --address.)")


@users.command("list")
@_DATA_DIR
@_DATABASE
@click.pass_context
def users_list(ctx: click.Context, data_dir: Path, database_url: str | None) -> None:
    """List the accounts.

    \b
    Example:
      handouts users list
    """
    from handouts.records import accounts
    from handouts.web.settings import open_records

    engine = open_records(_web_settings(ctx, data_dir, database_url))
    for user in accounts.list_users(engine):
        state = "active" if user.active else "closed"
        password = "password set" if user.has_password else "waiting for first sign-in"
        click.echo(f"{user.username}  {user.role}  {state}  {password}  {user.display_name}")


@main.command("new-topic")
@click.argument("slug")
@click.option("--lang", "languages", multiple=True,
              help="Languages to start (repeatable; default en and es).")
@click.option("--level", "levels", multiple=True,
              help="Reading levels to start (repeatable; default easy and standard).")
@click.option("--sections", help="Section keys, comma-separated (default: the usual set, "
                                 "from 'what-it-is' to 'notes').")
@click.option("--date", callback=_date, metavar="YYYY-MM-DD",
              help="Date written into the new files (default today).")
@click.pass_context
def new_topic(ctx: click.Context, slug: str, languages: tuple[str, ...],
              levels: tuple[str, ...], sections: str | None, date: _dt.date | None) -> None:
    """Start a topic from a correct skeleton: topic.toml (review fields, sources to fill
    in) and one file per language and level with every section.

    \b
    Example:
      handouts new-topic fatigue
      handouts new-topic neutropenia --lang en --level standard
    """
    from handouts.scaffold import new_topic as scaffold

    keys = tuple(k.strip() for k in sections.split(",") if k.strip()) if sections else ()
    written = scaffold(_roots(ctx), slug, languages, levels, keys, date)
    for path in written:
        click.echo(display_path(path))


@main.group()
def translation() -> None:
    """Translations against the English they were made from."""


@translation.command("mark-current")
@click.argument("topic")
@click.option("--lang", required=True, help="The translated language, e.g. es.")
@click.option("--level", "levels", multiple=True,
              help="Only this reading level (repeatable; default every level).")
@click.option("--translated-by", help="Who translated it (a name or role; kept from last "
                                      "time if not given).")
@click.option("--reviewed-by", help="Who reviewed the translation (kept from last time if "
                                    "not given).")
@click.option("--date", callback=_date, metavar="YYYY-MM-DD", help="Default today.")
@click.pass_context
def translation_mark_current(ctx: click.Context, topic: str, lang: str,
                             levels: tuple[str, ...], translated_by: str | None,
                             reviewed_by: str | None, date: _dt.date | None) -> None:
    """Record that a translation now says what today's English says, section by section.

    Run it after updating the translation; `handouts check` then stops reporting it as
    behind until the English changes again.

    \b
    Example:
      handouts translation mark-current bone-metastasis --lang es \\
          --translated-by "Certified medical translator" --reviewed-by "Bilingual RN"
    """
    from handouts.inputs.section_digests import OPENING
    from handouts.lifecycle import mark_translation_current

    for record in mark_translation_current(_roots(ctx), topic, lang, levels, translated_by,
                                           reviewed_by, date):
        sections = len([key for key in record.sections if key != OPENING])
        opening = " and the opening" if OPENING in record.sections else ""
        click.echo(f"{topic} {record.lang}/{record.level}: current with "
                   f"{record.source}/{record.level} as of {record.marked.isoformat()} "
                   f"({sections} sections{opening})")


@main.group()
def override() -> None:
    """A clinic's own versions of sections (clinics/CLINIC/content/), kept across updates."""


def _override_options(command):
    command = click.option("--level", default="standard", show_default=True)(command)
    command = click.option("--lang", default="en", show_default=True)(command)
    command = click.option("--clinic", required=True, help="Clinic profile slug.")(command)
    return click.argument("topic")(command)


@override.command("start")
@_override_options
@click.option("--section", "sections", multiple=True, required=True,
              help="Section key to adapt (repeatable).")
@click.option("--date", callback=_date, metavar="YYYY-MM-DD", help="Default today.")
@click.pass_context
def override_start(ctx: click.Context, topic: str, clinic: str, lang: str, level: str,
                   sections: tuple[str, ...], date: _dt.date | None) -> None:
    """Copy shipped sections into the clinic's own file to edit there.

    \b
    Example:
      handouts override start bone-metastasis --clinic riverside --section medicines
    """
    from handouts.lifecycle import start_override

    path, added = start_override(_roots(ctx), clinic, topic, lang, level, sections, date)
    click.echo(f"{display_path(path)}: " + (f"added {', '.join(added)}; edit it there"
                                            if added else "already has those sections"))


@override.command("diff")
@_override_options
@click.option("--section", "sections", multiple=True, help="Only this section (repeatable).")
@click.pass_context
def override_diff(ctx: click.Context, topic: str, clinic: str, lang: str, level: str,
                  sections: tuple[str, ...]) -> None:
    """Show how the shipped text changed since the clinic's version was made from it.

    \b
    Example:
      handouts override diff bone-metastasis --clinic riverside --section medicines
    """
    from handouts.lifecycle import override_diff as diff

    click.echo(diff(_roots(ctx), clinic, topic, lang, level, sections))


@override.command("mark-current")
@_override_options
@click.option("--section", "sections", multiple=True,
              help="Only this section (repeatable; default all the clinic's sections).")
@click.option("--date", callback=_date, metavar="YYYY-MM-DD", help="Default today.")
@click.pass_context
def override_mark_current(ctx: click.Context, topic: str, clinic: str, lang: str, level: str,
                          sections: tuple[str, ...], date: _dt.date | None) -> None:
    """Record that the clinic's versions were reviewed against today's shipped text.

    \b
    Example:
      handouts override mark-current bone-metastasis --clinic riverside --section medicines
    """
    from handouts.lifecycle import mark_override_current

    keys = mark_override_current(_roots(ctx), clinic, topic, lang, level, sections, date)
    click.echo(f"{clinic} {topic} {lang}/{level}: {', '.join(keys)} current with the "
               "shipped text")


def run() -> None:  # pragma: no cover - the console entry point
    """The program: main() in a process that ends when its command does.

    Python's cyclic garbage collector suits long-lived processes: while a short one loads
    its modules it scans their objects again and again, and at exit it collects everything
    once more just before the system frees the memory anyway (together about a third of
    one `generate`). So it stays off while the modules load, the objects loaded are then
    frozen (kept, never scanned again; see gc.freeze), and at exit everything is frozen
    (registered first, this runs after every other exit handler, such as the one stopping
    the template worker). Tests run main() itself, with the collector as it is."""
    gc.disable()
    atexit.register(gc.freeze)
    sys.exit(main())


def _collect_normally() -> None:
    """Once a command's modules are loaded: freeze what is alive (modules, functions,
    tables: never garbage) and collect as usual from here on, if run() stopped collection."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
