//! The PubMed XML parser on real PubMed XML (../shared/fixtures/pubmed-xml)
//! and on small documents we write to pin one behaviour each.

mod common;

use std::collections::HashMap;
use std::path::Path;

use scoper::parse::{self, Entry, ParseError, Record};

fn parse_file(path: &Path) -> (Vec<Record>, Vec<Vec<String>>, Vec<ParseError>) {
    let strings = |p: Vec<scoper::parse::Pmid>| p.iter().map(|p| p.to_string()).collect();
    let mut records = Vec::new();
    let mut deletes = Vec::new();
    let mut errors = Vec::new();
    for item in parse::records(parse::open(path).unwrap()) {
        match item {
            Ok(Entry::Record(r)) => records.push(*r),
            Ok(Entry::Deleted(p)) => deletes.push(strings(p)),
            Err(e) => errors.push(e),
        }
    }
    (records, deletes, errors)
}

fn parse_str(xml: &str) -> (Vec<Record>, Vec<ParseError>) {
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for item in parse::records(xml.as_bytes()) {
        match item {
            Ok(Entry::Record(r)) => records.push(*r),
            Ok(Entry::Deleted(_)) => {}
            Err(e) => errors.push(e),
        }
    }
    (records, errors)
}

fn by_pmid(records: Vec<Record>) -> HashMap<String, Record> {
    records.into_iter().map(|r| (r.pmid.to_string(), r)).collect()
}

fn fixture(dir: &Path, rel: &str) -> HashMap<String, Record> {
    let (records, _, errors) = parse_file(&dir.join("pubmed-xml").join(rel));
    assert!(errors.is_empty(), "{rel}: {errors:?}");
    by_pmid(records)
}

#[test]
fn every_fixture_file_parses_without_error_and_record_counts_match() {
    let dir = fixtures_or_skip!();
    let files = common::pubmed_fixture_files(&dir);
    assert!(files.len() > 200, "expected the fixture files, found {}", files.len());
    for f in files {
        let (records, _, errors) = parse_file(&f);
        assert!(errors.is_empty(), "{}: {errors:?}", f.display());
        // Count the records the plain way, for files we can read as text.
        if f.extension().is_some_and(|e| e == "xml") {
            let text = std::fs::read_to_string(&f).unwrap();
            let expected = text.matches("<PubmedArticle>").count()
                + text.matches("<PubmedBookArticle>").count();
            assert_eq!(records.len(), expected, "{}", f.display());
        }
        for r in &records {
            assert!(r.pmid.get() > 0, "{}: {:?}", f.display(), r.pmid);
            assert!(!r.title.is_empty(), "{}: PMID {} has no title", f.display(), r.pmid);
        }
    }
}

#[test]
fn gzip_bench_files_stream_through() {
    let dir = fixtures_or_skip!();
    let (records, deletes, errors) =
        parse_file(&dir.join("pubmed-xml/bench/pubmed21n1298_random3000.xml.gz"));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(records.len(), 3000);
    assert_eq!(deletes.concat().len(), 20);
    let (records, _, errors) =
        parse_file(&dir.join("pubmed-xml/bench/pubmed20n0014_random4000.xml.gz"));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(records.len(), 4000);
}

#[test]
fn inline_markup_keeps_every_word_of_the_title() {
    let dir = fixtures_or_skip!();
    let r = &fixture(&dir, "efetch-hawc/efetch_title_with_child_text_27933116.xml")["27933116"];
    // <i>Phoenix dactylifera</i> ... Cu<sub>2</sub>O
    assert_eq!(
        r.title,
        "Phoenix dactylifera mediated green synthesis of Cu2O particles for arsenite uptake from \
         water."
    );
}

#[test]
fn abstract_with_child_markup_is_whole() {
    let dir = fixtures_or_skip!();
    let r = &fixture(&dir, "efetch-hawc/efetch_abstract_with_child_text_29186030.xml")["29186030"];
    let text = r.abstract_text();
    assert!(text.contains("Laodelphax striatellus"), "{text}");
    assert!(text.len() > 800, "abstract cut short: {text}");
}

#[test]
fn accented_author_names_are_intact() {
    let dir = fixtures_or_skip!();
    let recs = fixture(&dir, "efetch-hawc/efetch_utf8_23878845_16080930.xml");
    let a = &recs["16080930"].authors;
    assert_eq!(a[0].last.as_deref(), Some("González-Reyes"));
    assert_eq!(a[0].fore.as_deref(), Some("Salomé"));
    assert_eq!(a[1].last.as_deref(), Some("Martínez"));
}

#[test]
fn the_doi_is_the_articles_own_never_a_references() {
    let dir = fixtures_or_skip!();
    let recs = fixture(&dir, "baseline-sample/pubmed21n1298_sample300.xml");
    // This record's ReferenceList starts with doi 10.1038/187962a0.
    assert_eq!(recs["32945949"].doi.as_deref(), Some("10.1007/s00299-020-02597-x"));
    // And when the only DOI is a reference's, the record has none.
    let xml = r#"<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE">
        <PMID Version="1">990000900</PMID><Article><Journal><Title>J</Title></Journal>
        <ArticleTitle>T</ArticleTitle></Article></MedlineCitation>
        <PubmedData><ArticleIdList><ArticleId IdType="pubmed">990000900</ArticleId></ArticleIdList>
        <ReferenceList><Reference><Citation>C</Citation><ArticleIdList>
        <ArticleId IdType="doi">10.99999/reference</ArticleId>
        <ArticleId IdType="pubmed">990000901</ArticleId></ArticleIdList></Reference></ReferenceList>
        </PubmedData></PubmedArticle></PubmedArticleSet>"#;
    let (records, errors) = parse_str(xml);
    assert!(errors.is_empty());
    assert_eq!(records[0].pmid, "990000900");
    assert_eq!(records[0].doi, None);
}

#[test]
fn doi_falls_back_to_the_article_id_list() {
    let dir = fixtures_or_skip!();
    let recs = fixture(&dir, "efetch-hawc/efetch_utf8_23878845_16080930.xml");
    assert_eq!(recs["16080930"].doi.as_deref(), Some("10.1016/j.jpedsurg.2005.05.009"));
}

#[test]
fn structured_abstracts_keep_labels_in_order() {
    let dir = fixtures_or_skip!();
    let recs = fixture(&dir, "efetch-hawc/efetch_structured_abstract_21813367.xml");
    let r = &recs["21813367"];
    let labels: Vec<_> = r.abstract_sections.iter().map(|s| s.label.clone()).collect();
    assert!(labels.len() >= 3, "{labels:?}");
    assert!(labels.iter().all(Option::is_some), "{labels:?}");
    assert!(r.abstract_sections.iter().all(|s| !s.text.is_empty()));
}

#[test]
fn highest_pmid_version_is_the_record_when_read_in_order() {
    let dir = fixtures_or_skip!();
    let (records, _, errors) =
        parse_file(&dir.join("pubmed-xml/edge-cases/pmid-multiple-versions.xml"));
    assert!(errors.is_empty());
    let versions: Vec<u32> =
        records.iter().filter(|r| r.pmid == "30271887").map(|r| r.version).collect();
    assert_eq!(versions, [1, 2, 3, 4]);
}

#[test]
fn delete_citation_lists_the_pmids() {
    let dir = fixtures_or_skip!();
    let (records, deletes, errors) =
        parse_file(&dir.join("pubmed-xml/edge-cases/delete-citation.xml"));
    assert!(errors.is_empty());
    assert_eq!(records.len(), 2);
    let pmids = deletes.concat();
    assert_eq!(pmids.len(), 20);
    assert_eq!(pmids[0], "31688362");
    assert_eq!(pmids[19], "34096142");
}

#[test]
fn books_take_their_pmid_title_and_authors_from_the_book_document() {
    let dir = fixtures_or_skip!();
    let recs = fixture(&dir, "efetch-hawc/efetch_book_chapter_20301382.xml");
    let r = &recs["20301382"];
    assert!(r.book);
    assert_eq!(r.title, "Single Large-Scale Mitochondrial DNA Deletion Syndromes");
    assert_eq!(r.authors[0].last.as_deref(), Some("Goldstein"));
    assert!(!r.editors.is_empty());
    let recs = fixture(&dir, "efetch-hawc/efetch_book_26468569.xml");
    let r = &recs["26468569"];
    assert!(r.book);
    assert!(r.authors[0].collective.as_deref().unwrap().starts_with("Committee on"));
    assert_eq!(r.year, Some(2015));
}

#[test]
fn empty_article_title_falls_back_to_the_vernacular_title() {
    let dir = fixtures_or_skip!();
    let (records, _, errors) =
        parse_file(&dir.join("pubmed-xml/edge-cases/empty-article-title.xml"));
    assert!(errors.is_empty());
    assert_eq!(records.len(), 4);
    for r in &records {
        assert!(!r.title.is_empty(), "PMID {}", r.pmid);
        assert_eq!(Some(&r.title), r.vernacular_title.as_ref(), "PMID {}", r.pmid);
    }
}

#[test]
fn medline_dates_and_seasons_give_a_year() {
    let dir = fixtures_or_skip!();
    for file in ["edge-cases/medline-date.xml", "edge-cases/season-date.xml"] {
        let (records, _, errors) = parse_file(&dir.join("pubmed-xml").join(file));
        assert!(errors.is_empty());
        for r in &records {
            let y = r.year.unwrap_or_else(|| panic!("{file}: PMID {} has no year", r.pmid));
            assert!((1900..2030).contains(&y));
        }
    }
    let recs = fixture(&dir, "edge-cases/delete-citation.xml");
    assert_eq!(recs["29636226"].pub_date.as_deref(), Some("2018 Jul-Aug"));
    assert_eq!(recs["29636226"].year, Some(2018));
}

#[test]
fn collective_names_affiliations_and_orcids() {
    let dir = fixtures_or_skip!();
    let recs = fixture(&dir, "efetch-hawc/efetch_collective_author_21860499.xml");
    let r = &recs["21860499"];
    assert!(r.authors.iter().any(|a| a.collective.is_some() && a.last.is_none()));
    // Several AffiliationInfo per author, and ORCIDs in either form, normalised.
    let (records, _, _) =
        parse_file(&dir.join("pubmed-xml/baseline-sample/pubmed21n1298_sample300.xml"));
    let authors: Vec<_> = records.iter().flat_map(|r| &r.authors).collect();
    assert!(authors.iter().any(|a| a.affiliations.len() > 1));
    let orcids: Vec<_> = authors.iter().filter_map(|a| a.orcid.as_deref()).collect();
    assert!(!orcids.is_empty());
    for o in orcids {
        assert!(!o.contains("orcid.org"), "{o}");
        assert_eq!(o.len(), 19, "{o}");
    }
}

#[test]
fn retraction_and_erratum_links_are_kept() {
    let dir = fixtures_or_skip!();
    let (records, _, errors) = parse_file(&dir.join("pubmed-xml/edge-cases/retraction-in.xml"));
    assert!(errors.is_empty());
    assert!(records.iter().all(|r| r.retracted), "every record here has RetractionIn");
    let (records, _, _) = parse_file(&dir.join("pubmed-xml/edge-cases/retraction-of.xml"));
    assert!(records.iter().all(|r| !r.retracted), "retraction notices are not retracted");
    assert!(records.iter().any(|r| r.corrections.iter().any(|c| c.kind == "RetractionOf")));
    let (records, _, _) = parse_file(&dir.join("pubmed-xml/edge-cases/erratum-in.xml"));
    assert!(records.iter().all(|r| r.corrections.iter().any(|c| c.kind == "ErratumIn")));
}

#[test]
fn mathml_text_is_kept_and_escaped_lt_is_decoded() {
    let dir = fixtures_or_skip!();
    let (records, _, errors) = parse_file(&dir.join("pubmed-xml/edge-cases/mathml.xml"));
    assert!(errors.is_empty());
    assert_eq!(records.len(), 27);
    assert!(records.iter().all(|r| !r.abstract_text().contains("mml:")));
    let (records, _, _) = parse_file(&dir.join("pubmed-xml/edge-cases/escaped-lt-in-text.xml"));
    assert!(records.iter().any(|r| r.abstract_text().contains(" < ")
        || r.abstract_text().contains("<0")
        || r.abstract_text().contains("< ")));
    assert!(records.iter().all(|r| !r.abstract_text().contains("&lt;")));
}

#[test]
fn other_abstracts_and_multiple_languages() {
    let dir = fixtures_or_skip!();
    let (records, _, _) = parse_file(&dir.join("pubmed-xml/edge-cases/other-abstract.xml"));
    assert!(records.iter().all(|r| !r.other_abstracts.is_empty()));
    assert!(records.iter().flat_map(|r| &r.other_abstracts).all(|o| !o.sections.is_empty()));
    let (records, _, _) = parse_file(&dir.join("pubmed-xml/edge-cases/multiple-languages.xml"));
    assert!(records.iter().all(|r| r.languages.len() >= 2));
}

#[test]
fn references_do_not_leak_pmids_or_authors() {
    let dir = fixtures_or_skip!();
    // CommentsCorrections carry PMIDs of other records: the record keeps its own.
    let recs = fixture(&dir, "edge-cases/erratum-in.xml");
    for (pmid, r) in &recs {
        assert_eq!(r.pmid.to_string(), *pmid);
        for c in &r.corrections {
            assert_ne!(c.pmid.as_deref(), Some(pmid.as_str()));
        }
    }
    // Investigators are not authors.
    let (records, _, _) = parse_file(&dir.join("pubmed-xml/edge-cases/investigator-list.xml"));
    let text =
        std::fs::read_to_string(dir.join("pubmed-xml/edge-cases/investigator-list.xml")).unwrap();
    let author_tags = text.matches("<Author ").count() + text.matches("<Author>").count();
    let parsed: usize = records.iter().map(|r| r.authors.len() + r.editors.len()).sum();
    assert_eq!(parsed, author_tags);
}

#[test]
fn entities_and_character_references_are_decoded() {
    let xml = "<PubmedArticleSet><PubmedArticle><MedlineCitation Status=\"MEDLINE\">\
        <PMID Version=\"1\">990000902</PMID><Article><ArticleTitle>Caf&#xe9; &amp; \
        <i>na&#239;ve</i>   &quot;tests&quot; &lt;5%</ArticleTitle>\
        <AuthorList><Author><LastName>M&#xfc;ller</LastName></Author></AuthorList></Article>\
        </MedlineCitation></PubmedArticle></PubmedArticleSet>";
    let (records, errors) = parse_str(xml);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(records[0].title, "Café & naïve \"tests\" <5%");
    assert_eq!(records[0].authors[0].last.as_deref(), Some("Müller"));
}

#[test]
fn a_truncated_file_keeps_the_records_before_the_fault() {
    let xml =
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version=\"1\">990000903</PMID>\
        <Article><ArticleTitle>First</ArticleTitle></Article></MedlineCitation></PubmedArticle>\
        <PubmedArticle><MedlineCitation><PMID Version=\"1\">990000904</PMID><Article><ArticleTi";
    let (records, errors) = parse_str(xml);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].title, "First");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].fatal);
    assert!(errors[0].message.contains("truncated"), "{}", errors[0].message);
    assert_eq!(errors[0].pmid.as_deref(), Some("990000904"));
}

#[test]
fn malformed_xml_is_an_error_with_a_position() {
    let xml = "<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><PMID Version=\"1\">990000905</PMID>\n\
        <Article><ArticleTitle>x</Title></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>";
    let (records, errors) = parse_str(xml);
    assert!(records.is_empty());
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains("malformed XML"), "{}", errors[0].message);
    assert!(errors[0].offset > 0);
}

#[test]
fn not_pubmed_xml_and_empty_input_say_so() {
    let (_, errors) = parse_str("");
    assert_eq!(errors[0].message, "the file is empty");
    let (_, errors) = parse_str("{\"json\": true}");
    assert!(errors[0].message.contains("not PubMed XML"), "{}", errors[0].message);
    let (_, errors) = parse_str("<eSearchResult><Count>1</Count></eSearchResult>");
    assert!(errors[0].message.contains("E-utilities"), "{}", errors[0].message);
    let (_, errors) = parse_str("<html><body>hi</body></html>");
    assert!(errors[0].message.contains("root element is <html>"), "{}", errors[0].message);
}

#[test]
fn a_record_without_a_pmid_is_skipped_and_the_rest_are_read() {
    let xml = "<PubmedArticleSet><PubmedArticle><MedlineCitation><Article><ArticleTitle>No id\
        </ArticleTitle></Article></MedlineCitation></PubmedArticle><PubmedArticle><MedlineCitation>\
        <PMID Version=\"2\">990000906</PMID><Article><ArticleTitle>Has id</ArticleTitle></Article>\
        </MedlineCitation></PubmedArticle></PubmedArticleSet>";
    let (records, errors) = parse_str(xml);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].version, 2);
    assert_eq!(errors.len(), 1);
    assert!(!errors[0].fatal);
    assert!(errors[0].message.contains("without a PMID"));
}
