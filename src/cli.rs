//! Command-line flags, as clap reads them (raw; `commands` validates).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// scoper: scoping reviews of the research literature, from the terminal.
#[derive(Debug, Parser)]
#[command(name = "scoper", version, about, long_about = None)]
pub struct Cli {
    /// The review workspace (the folder with scoper.toml) [default: .]
    // No clap default: a global argument's default in the subcommand would
    // override a value given before it.
    #[arg(long, global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Print what the command reports as JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// E-utilities base URL [env: SCOPER_EUTILS_URL; default: NCBI's].
    #[arg(long, global = true, value_name = "URL")]
    pub eutils_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a workspace: a protocol (scoper.toml), queries/ and corpus/.
    Init {
        /// Where to create it (default: --dir, or the current folder); a
        /// relative path is taken from --dir.
        #[arg(value_name = "DIR")]
        path: Option<PathBuf>,
    },
    /// The main job: bring the index up to date with corpus/ and summarise.
    Run {
        /// Use only what corpus/ holds; do not search PubMed.
        #[arg(long)]
        offline: bool,
    },
    /// Run one saved search against PubMed and bring in what it finds.
    Search {
        /// A saved search: a name in queries/ (lhs) or a .toml file; none
        /// lists them.
        query: Option<String>,
        /// PMIDs per efetch request.
        #[arg(long, value_name = "N")]
        batch_size: Option<usize>,
    },
    /// Re-run every saved search since its last run: new and revised records only.
    Update {
        /// PMIDs per efetch request.
        #[arg(long, value_name = "N")]
        batch_size: Option<usize>,
    },
    /// The search log as a PRISMA-S table.
    Log,
    /// Add records to the corpus: PubMed XML (.xml, .xml.gz), and RIS,
    /// MEDLINE/nbib, Web of Science or CSV exports of other databases.
    Import {
        /// The files to import: PubMed XML, or RIS, MEDLINE/nbib, Web of Science or
        /// CSV exports of other databases (a folder: the record files in it).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// A CSV file's columns, where they have other names than scoper looks for:
        /// title=Title,abstract=Summary,authors=Writers,year=Year,doi=DOI,journal=...,
        /// keywords=...,pmid=...,id=... (ASReview's and Rayyan's names need none).
        #[arg(long, value_name = "FIELD=COLUMN,...", value_delimiter = ',')]
        map: Vec<String>,
    },
    /// Build the search index from corpus/ (only what changed, or all).
    Index {
        /// Delete the index and build it again from corpus/.
        #[arg(long)]
        rebuild: bool,
    },
    /// Search the records: words, phrases, fields, PubMed field tags, concepts.
    Find {
        /// The query: words, "a phrase", field:word, AND/OR/NOT, year:[2015 TO 2020];
        /// PubMed field tags (asthma[tiab], hospitals[mh], 2019[dp], "..."[Title/Abstract]);
        /// concept:ID for the records tagged with a framework's concept or element.
        #[arg(required = true, value_name = "QUERY")]
        query: Vec<String>,
        /// How many records to list.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Records in full, with their concepts and decisions (while screening
    /// is blind, only the decisions of --reviewer).
    Show {
        /// The records' PMIDs.
        #[arg(required = true, value_name = "PMID")]
        pmids: Vec<String>,
        /// Whose decisions to show while screening is blind.
        #[arg(long, value_name = "NAME")]
        reviewer: Option<String>,
    },
    /// Tag every record with the concepts of the framework; print the concept map.
    Tag {
        /// The framework file (default: [framework] file in scoper.toml).
        #[arg(long, value_name = "FILE")]
        framework: Option<PathBuf>,
        /// Only check the framework file: every query must be valid.
        #[arg(long, conflicts_with = "eval")]
        check: bool,
        /// Measure the framework on a gold set: precision and recall per element.
        #[arg(long, value_name = "GOLD", num_args = 0..=1)]
        eval: Option<Option<PathBuf>>,
        /// With --eval: measure against the reviewers' own charts (the
        /// pre-filled concepts they confirmed, rejected or added).
        #[arg(long, requires = "eval")]
        charted: bool,
        /// Why a record has each of its concepts: the queries that match, the
        /// evidence, and what an exclusion removed.
        #[arg(long, value_name = "PMID", conflicts_with_all = ["check", "eval"])]
        explain: Option<String>,
        /// The words of the records that share each WORD's stem, with how
        /// often each occurs: what WORD also finds when written in a query.
        #[arg(long, value_name = "WORD", num_args = 1.., conflicts_with_all = ["check", "eval", "explain", "framework"])]
        stems: Vec<String>,
    },
    /// Screen records in the terminal: include, exclude (with a reason), maybe.
    Screen {
        /// Whose decisions these are: a name on the roster [default: $USER].
        #[arg(long, value_name = "NAME")]
        reviewer: Option<String>,
        /// title-abstract or full-text.
        #[arg(long, default_value = "title-abstract", value_name = "STAGE")]
        stage: String,
        /// Only the records the last `scoper update` brought.
        #[arg(long)]
        new: bool,
        /// model (retrained after each decision), relevance (to the eligibility
        /// criteria and the concepts), pmid, year or random.
        #[arg(long, default_value = "model", value_name = "ORDER")]
        order: String,
        /// The seed of --order random (and of the model).
        #[arg(long, default_value_t = 1, value_name = "N")]
        seed: u64,
        /// Every reviewer screens the same N records first (JBI suggests 25)
        /// [default: pilot in scoper.toml].
        #[arg(long, value_name = "N")]
        pilot: Option<usize>,
        /// Show the other reviewers' decisions (and the conflicts filter);
        /// only once blinding has ended (`scoper unblind`).
        #[arg(long)]
        unblind: bool,
    },
    /// Record screening decisions from a script: one, or many from a CSV file.
    Decide {
        /// The record's PMID (not with --from).
        #[arg(required_unless_present = "from", value_name = "PMID")]
        pmid: Option<String>,
        /// include, exclude or maybe (none, with --note: a note alone).
        #[arg(required_unless_present_any = ["from", "note"], value_name = "DECISION")]
        decision: Option<String>,
        /// Why it is excluded (needed at full text).
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
        /// A note on the record.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Whose decision this is.
        #[arg(long, value_name = "NAME")]
        reviewer: String,
        /// title-abstract or full-text.
        #[arg(long, default_value = "title-abstract", value_name = "STAGE")]
        stage: String,
        /// This decision settles a disagreement (a third reviewer's or a consensus).
        #[arg(long)]
        settle: bool,
        /// A CSV file with the columns pmid, decision, reason, note: all or nothing.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["pmid", "decision", "reason", "note"])]
        from: Option<PathBuf>,
    },
    /// Records where reviewers disagree, and their agreement (Cohen's kappa).
    Conflicts {
        /// Only this stage (title-abstract or full-text), or charting (the
        /// chart fields where reviewers differ).
        #[arg(long, value_name = "STAGE")]
        stage: Option<String>,
        /// The agreement on the pilot records (N: the pilot's size; default:
        /// pilot in scoper.toml).
        #[arg(long, value_name = "N", num_args = 0..=1)]
        pilot: Option<Option<usize>>,
    },
    /// End blinding: from now on `conflicts` lists the disagreements and
    /// `screen --unblind` shows every reviewer's decisions. Recorded, once.
    Unblind {
        /// Who ends it (a reviewer or settler of the roster).
        #[arg(long, value_name = "NAME")]
        reviewer: String,
    },
    /// Chart the included records (a form in the terminal), or set one value.
    Chart {
        /// Whose chart entries these are [default: $USER].
        #[arg(long, value_name = "NAME")]
        reviewer: Option<String>,
        #[command(subcommand)]
        set: Option<ChartCommand>,
    },
    /// The PRISMA 2020 / PRISMA-ScR flow: counts, and the diagram.
    Prisma {
        /// Also write the counts as the PRISMA2020 template's CSV.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Also draw the flow diagram as SVG.
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
    },
    /// Replay a labeled review with prioritised screening and score the order
    /// (recall after 10%, WSS@95, average time to discovery, loss).
    Simulate {
        /// A CSV with title, abstract and label_included (ASReview's shape).
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
        /// Start from these rows (numbered from 0, header not counted), e.g. 12,40
        /// [default: one include and one exclude picked with --seed].
        #[arg(long, value_name = "ROW,ROW", value_delimiter = ',')]
        priors: Option<Vec<usize>>,
        /// Seed for the priors and the model.
        #[arg(long, default_value_t = 1, value_name = "S")]
        seed: u64,
        /// Write the screening order, one row number a line, priors first.
        #[arg(long, value_name = "FILE")]
        order_out: Option<PathBuf>,
        /// Score this order (another tool's, one row number a line, priors
        /// first) instead of replaying.
        #[arg(long, value_name = "FILE")]
        score: Option<PathBuf>,
    },
    /// Records that are one study across sources (DOI, PMID, title, fuzzy title),
    /// grouped; or a reviewer's word on a pair.
    Duplicates {
        /// These two records are the same study (confirms a fuzzy match).
        #[arg(long, value_name = "ID,ID", value_delimiter = ',', conflicts_with = "not")]
        same: Option<Vec<String>>,
        /// These two records are not the same study (splits a group).
        #[arg(long, value_name = "ID,ID", value_delimiter = ',')]
        not: Option<Vec<String>>,
        /// Whose judgement it is [default: $USER].
        #[arg(long, value_name = "NAME")]
        reviewer: Option<String>,
    },
    /// One self-contained HTML page of the review, for co-authors.
    Report {
        /// The folder to write report.html (and its figures) in.
        #[arg(long, value_name = "DIR", default_value = "exports")]
        out: PathBuf,
    },
    /// Write records out: jsonl, csv (the charted data) or ris.
    Export {
        /// jsonl (every record), csv (the included records, charted) or ris.
        format: ExportFormat,
        /// Write to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// csv: every record with every reviewer's decisions (the audit trail).
        #[arg(long)]
        all: bool,
        /// csv: one row per record and field (the tidy shape).
        #[arg(long)]
        long: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChartCommand {
    /// Set one field of one included record's chart, from a script.
    Set {
        pmid: String,
        field: String,
        /// The value (a list of choices: comma-separated).
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// Whose chart entry this is [default: $USER, as for `chart`].
        #[arg(long, value_name = "NAME")]
        reviewer: Option<String>,
        /// This value settles the field where reviewers differ (a settler's).
        #[arg(long)]
        settle: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Every record in the working set, one JSON object a line.
    Jsonl,
    /// The included records with their decisions, chart fields and concepts.
    Csv,
    /// The included records, for Zotero, EndNote and Mendeley.
    Ris,
}
