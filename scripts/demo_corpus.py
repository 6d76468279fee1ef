#!/usr/bin/env python3
"""Writes corpus/demo/lhs-demo.xml: the fictional demo records of the
learning-health-systems review (PMIDs from 990000001 up).

Every record here is invented for scoper's demo and tests: titles, abstracts,
authors and DOIs (prefix 10.99999, which no registrant holds) are ours. The
journal names are real journals, to look like a real search result; none of
these articles exists in them.

Run from the repository root:  python3 scripts/demo_corpus.py
"""
from xml.sax.saxutils import escape

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

# (title, abstract, year, journal, authors, mesh, keywords, pubtype, extra)
# abstract: a string (unstructured) or a list of (label, text); None: none.
# authors: "Last, Fore" strings; a name without a comma is a collective name.
R = []

def rec(title, abstract, year, journal, authors, mesh, keywords, pubtype="Journal Article", **extra):
    R.append(dict(title=title, abstract=abstract, year=year, journal=journal, authors=authors,
                  mesh=mesh, keywords=keywords, pubtype=pubtype, extra=extra))

LHSJ = "Learning health systems"
# ---- Core values -----------------------------------------------------------
rec("Equity as a design principle for learning health systems: a qualitative study of safety-net clinics",
    [("BACKGROUND", "Learning health systems promise continuous improvement, yet little is known about how they address health equity for underserved populations."),
     ("METHODS", "We interviewed 34 leaders, clinicians and patient partners in six safety-net clinics that use their electronic health record data for rapid improvement cycles."),
     ("RESULTS", "Participants described equity as a core value that shaped which data were collected, how results were stratified by race, language and income, and who sat at the table when priorities were set. Disparities dashboards made inequities visible but were rarely linked to action plans."),
     ("CONCLUSIONS", "Embedding equity in a learning health system requires stratified measurement, inclusive governance and explicit accountability for closing gaps.")],
    2021, LHSJ, ["Okafor, Adaeze", "Lindqvist, Maria", "Hernández, José Luis"],
    ["Learning Health System", "Health Equity", "Safety-net Providers", "Qualitative Research"],
    ["health equity", "learning health system", "disparities", "safety-net"])
rec("Person-centred care in a learning health system: co-producing knowledge with patients living with multimorbidity",
    "Person-centredness is named as a core value of learning health systems, but how patients shape learning cycles is rarely described. In this participatory action study in a Scottish health board, 18 patients with multimorbidity and 12 clinicians co-designed measures of what mattered to patients and fed them back into practice every quarter. Patients reported greater trust and a sense of partnership; clinicians changed appointment scheduling and medication reviews in response. Person-centred measures can be routinised in a learning health system when patients are partners in interpreting the data.",
    2020, "Health Expectations", ["MacLeod, Fiona", "Ahmed, Rashid", "Cowan, Peter"],
    ["Patient-Centered Care", "Learning Health System", "Multimorbidity", "Patient Participation"],
    ["person-centred care", "co-production", "patient partnership", "learning health system"])
rec("Patient-centered outcomes and the learning healthcare system: a framework for shared accountability",
    "We propose a framework in which health system leaders, clinicians, researchers and patients share accountability for the outcomes a learning healthcare system produces. Drawing on twelve case studies from US integrated delivery systems, we describe governance arrangements that assign responsibility for acting on evidence, publishing results and reporting failures. Shared accountability and transparency about results were the values most often cited as necessary for sustained learning.",
    2018, "Milbank Quarterly", ["Rosenberg, Daniel", "Chu, Emily", "Patel, Nikhil"],
    ["Delivery of Health Care, Integrated", "Social Responsibility", "Learning Health System"],
    ["shared accountability", "transparency", "governance", "patient-centered outcomes"])
rec("Privacy, trust and secondary use of electronic health records in a learning health system: a citizens' jury",
    [("OBJECTIVE", "To learn what citizens consider acceptable secondary use of routinely collected health data for system-wide learning."),
     ("METHODS", "Two citizens' juries (n = 36) deliberated over four days on scenarios of data sharing for quality improvement, research and commercial partnerships."),
     ("RESULTS", "Jurors supported the use of de-identified data for improvement and research when governance was transparent, privacy was protected and public benefit was clear; they rejected commercial access without public oversight."),
     ("CONCLUSION", "Privacy protection and transparency are preconditions for the social licence a learning health system needs.")],
    2019, "BMJ Open", ["Whitfield, Hannah", "Nguyen, Thi Lan", "O'Brien, Ciarán"],
    ["Privacy", "Electronic Health Records", "Trust", "Confidentiality", "Learning Health System"],
    ["privacy", "social licence", "citizens' jury", "secondary use of data"])
rec("Scientific integrity in embedded research: managing conflicts between rigour and rapid decision-making",
    "Embedded researchers in learning health systems face pressure to deliver timely answers to operational leaders. We surveyed 142 embedded researchers in 27 organisations about threats to scientific rigour. Respondents reported pressure to omit unfavourable findings (21%), to shorten follow-up (48%) and to skip pre-registration (39%). Organisations with a written policy on scientific integrity and publication of all results reported fewer such pressures. Protecting scientific integrity is essential if learning health systems are to generate trustworthy knowledge.",
    2022, LHSJ, ["Fischer, Anja", "Doyle, Siobhan", "Kim, Ji-woo"],
    ["Scientific Misconduct", "Health Services Research", "Learning Health System", "Surveys and Questionnaires"],
    ["scientific integrity", "rigour", "embedded research", "publication bias"])
rec("Solidarity and inclusiveness in a regional learning health network for rural communities",
    "Rural hospitals are often left out of learning collaboratives. We describe a regional learning health network built on solidarity between an academic centre and 14 rural hospitals in Quebec. Inclusiveness was pursued through bilingual materials, travel grants for rural staff and rotating leadership. Over three years, rural sites contributed 41% of improvement projects. Solidarity and inclusiveness can be designed into the structure of a learning network.",
    2023, "Healthcare Policy", ["Tremblay, Geneviève", "Bouchard, Éric", "Lavoie, Marie-Ève"],
    ["Rural Health Services", "Hospitals, Rural", "Community Networks", "Learning Health System"],
    ["solidarity", "inclusiveness", "rural health", "learning network"])
rec("Open innovation in health systems: how a learning health system partnered with start-ups and citizens",
    "Open innovation, the purposive exchange of knowledge across organisational boundaries, is a value of learning health systems. We studied an open innovation programme in a Danish region that invited citizens, small firms and clinicians to propose solutions to problems found in routine data. Of 212 proposals, 19 were piloted and 6 were scaled. Adaptability of procurement rules and cooperative leadership were key enablers.",
    2021, "BMC Health Services Research", ["Sørensen, Mette", "Jakobsen, Lars", "Holm, Karen"],
    ["Organizational Innovation", "Public-Private Sector Partnerships", "Learning Health System"],
    ["open innovation", "adaptability", "co-creation", "learning health system"])
rec("Cooperative and participatory leadership in learning health systems: a realist review",
    "Leadership is repeatedly named as a determinant of learning in health systems. This realist review of 47 sources identifies mechanisms by which cooperative and participatory leadership fosters learning: distributing decision rights, legitimising front-line experimentation and creating psychological safety. In contexts of hierarchical leadership, the same interventions produced compliance rather than learning.",
    2020, "Implementation Science", ["Andersson, Petra", "Mbeki, Thandiwe", "Walsh, Rory"],
    ["Leadership", "Organizational Culture", "Learning Health System", "Review"],
    ["participatory leadership", "distributed leadership", "psychological safety", "realist review"],
    pubtype="Review")
rec("Transparency of performance data and public reporting in a learning health system",
    "We evaluated the effect of publishing unit-level quality and safety data on an internal website accessible to all staff and patients of a 900-bed teaching hospital. Transparency about results was associated with faster improvement in hand hygiene and falls, and with more staff-initiated improvement projects. Public reporting can reinforce learning cycles when it is paired with support for improvement.",
    2017, "BMJ Quality & Safety", ["Lee, Hyun-joo", "Brennan, Patrick", "Moreau, Claire"],
    ["Quality Indicators, Health Care", "Disclosure", "Hospitals, Teaching", "Learning Health System"],
    ["transparency", "public reporting", "quality indicators"])
rec("Adaptability of a learning health system during the COVID-19 pandemic: lessons from an integrated delivery network",
    "The COVID-19 pandemic tested the adaptability of health systems. We describe how an integrated delivery network repurposed its learning health system infrastructure, including data warehouses, embedded researchers and a rapid-cycle evaluation team, to answer 38 operational questions in the first six months of the pandemic. Average time from question to answer fell from 14 weeks to 11 days. Pre-existing learning infrastructure made the system adaptable under crisis.",
    2021, "Annals of Internal Medicine", ["Gomez, Andrea", "Friedman, Samuel", "Osei, Kwame"],
    ["COVID-19", "Pandemics", "Delivery of Health Care, Integrated", "Learning Health System"],
    ["adaptability", "rapid-cycle evaluation", "COVID-19", "resilience"])
# ---- Pillars: scientific ---------------------------------------------------------
rec("Building research capacity for a learning health system: a training programme for clinician-researchers",
    "Learning health systems need staff who can ask and answer questions with routine data. We describe a two-year research training programme for 60 clinicians and managers combining courses in epidemiology, improvement science and data analysis with mentored projects. Eighty percent of trainees completed a project; 23 projects changed practice. Research training and knowledge-sharing are scientific pillars that can be built within a health system.",
    2019, "Academic Medicine", ["Kowalski, Anna", "Brown, Thomas", "Singh, Priya"],
    ["Capacity Building", "Research Personnel", "Education, Medical, Continuing", "Learning Health System"],
    ["research training", "capacity building", "clinician-researchers", "knowledge sharing"])
rec("The role of academic health science centres as research institutes in regional learning health systems",
    "Academic health science centres bring scientific expertise to the health systems around them. Through document analysis and 29 interviews in England, we describe how three centres provided methodological support, research funding and evaluation services to their regions. Partnerships worked best when the academic partner answered questions set by the health system rather than its own research agenda.",
    2018, "Health Research Policy and Systems", ["Greenwood, Alice", "Chaudhry, Imran", "Price, Eleanor"],
    ["Academic Medical Centers", "Research", "Learning Health System", "England"],
    ["academic health science centre", "research institute", "scientific expertise"])
rec("Research funding models that sustain embedded research in learning health systems",
    "Sustained research funding is a scientific pillar of a learning health system. We compared five funding models for embedded research: internal operating budgets, philanthropy, national research grants, payer partnerships and a levy on clinical revenue. Internal funding gave the most responsive research but was most vulnerable to budget cuts; blended models were most sustainable.",
    2022, "Health Affairs", ["Martin, Rebecca", "Huang, Wei", "Schwartz, Benjamin"],
    ["Financing, Organized", "Research Support as Topic", "Learning Health System"],
    ["research funding", "embedded research", "sustainability"])
# ---- Pillars: social -------------------------------------------------------------
rec("Multi-stakeholder networks and learning communities in paediatric chronic care: a mixed-methods evaluation",
    [("BACKGROUND", "Learning communities bring together patients, families, clinicians and researchers to improve care."),
     ("METHODS", "We evaluated a multi-stakeholder learning community of 42 paediatric centres using network analysis, surveys and interviews."),
     ("RESULTS", "Centres with more ties to other centres adopted more change ideas and improved remission rates faster. Parents valued being equal members of the network."),
     ("CONCLUSIONS", "Multi-stakeholder networks are a social pillar of learning health systems that spreads knowledge across organisations.")],
    2020, "Pediatrics", ["Thompson, Laura", "Adeyemi, Oluwaseun", "Keller, Marcus"],
    ["Community Networks", "Pediatrics", "Chronic Disease", "Quality Improvement", "Learning Health System"],
    ["learning community", "multi-stakeholder network", "paediatric chronic care"])
rec("Stakeholder engagement mechanisms in learning health systems: a scoping review",
    "We mapped mechanisms used to engage patients, clinicians, payers and communities in learning health systems. Across 88 sources, we found advisory boards, deliberative forums, community panels and co-design workshops. Few sources evaluated whether engagement changed decisions. Stakeholder engagement mechanisms are common, but their influence on learning cycles is seldom measured.",
    2022, "Health Research Policy and Systems", ["Ferreira, Ana", "Dubois, Lucie", "Mensah, Kofi"],
    ["Stakeholder Participation", "Community Participation", "Learning Health System", "Review"],
    ["stakeholder engagement", "scoping review", "co-design"], pubtype="Review")
rec("Partnership agreements between a health authority and universities to support a learning health system",
    "Formal service and partnership agreements can align the interests of health authorities and universities. We analysed 11 agreements in Canadian provinces and interviewed their signatories. Agreements that specified shared priorities, data-access rules and joint appointments produced more jointly run evaluations than general memoranda of understanding.",
    2019, "Healthcare Management Forum", ["Campbell, Heather", "Roy, Sébastien", "Nakamura, Ken"],
    ["Interinstitutional Relations", "Universities", "Learning Health System", "Canada"],
    ["partnership agreements", "health authority", "universities"])
# ---- Pillars: technological ------------------------------------------------------
rec("Electronic health record data infrastructure for a learning health system: design and first results",
    "We built a data infrastructure that extracts, cleans and links electronic health record, laboratory and claims data nightly for 1.2 million patients, with a governance process for analytic requests. In its first year the infrastructure answered 310 requests, supported 14 pragmatic studies and fed 22 clinical dashboards. Data quality checks found and corrected systematic coding errors. A shared data infrastructure is the technological backbone of a learning health system.",
    2016, "Journal of the American Medical Informatics Association", ["Shah, Ravi", "Miller, Jennifer", "Cohen, Ariel"],
    ["Electronic Health Records", "Data Warehousing", "Medical Informatics", "Learning Health System"],
    ["data infrastructure", "electronic health records", "data warehouse", "data quality"])
rec("Clinical registries as engines of learning: the national joint registry experience",
    "Clinical registries collect standardised data on every patient treated for a condition or procedure. We describe how a national joint replacement registry fed outlier reports back to surgeons and hospitals, identified a poorly performing implant within two years and changed national procurement. Registries are data infrastructures that support learning cycles across a whole health system.",
    2015, "The Bone & Joint Journal", ["Harrison, Neil", "Aaltonen, Juha", "Vella, Marco"],
    ["Registries", "Arthroplasty, Replacement, Hip", "Quality Improvement", "Learning Health System"],
    ["clinical registry", "feedback", "implant surveillance"])
rec("Data science expertise in health systems: roles, skills and career paths",
    "Health systems increasingly employ data scientists, analysts and informaticians. We surveyed 412 such staff in 60 organisations. Most worked in small teams with limited access to clinical leaders; 40% planned to leave within two years. Health systems that created career paths and paired data scientists with clinicians retained staff longer. IT and data-science expertise is a technological pillar that needs deliberate investment.",
    2023, "Applied Clinical Informatics", ["Baker, Oliver", "Rahman, Farzana", "Ivanova, Elena"],
    ["Workforce", "Data Science", "Medical Informatics", "Learning Health System"],
    ["data science expertise", "workforce", "informatics"])
rec("Interoperable IT systems and health information exchange in a regional learning health system",
    "Learning across organisations requires IT systems that exchange data. We evaluated a regional health information exchange connecting 9 hospitals and 140 practices. Exchange reduced duplicate imaging by 12% and enabled a regional sepsis registry. Interoperability standards and a shared patient index were the main technical enablers.",
    2018, "International Journal of Medical Informatics", ["Vogel, Stefan", "Rossi, Giulia", "Park, Min-seo"],
    ["Health Information Exchange", "Health Information Interoperability", "Learning Health System"],
    ["interoperability", "health information exchange", "IT systems"])
rec("Health technologies for remote monitoring as data sources for a learning health system in heart failure",
    "We linked data from home telemonitoring devices to the electronic health record of a heart-failure programme and fed weekly summaries to the care team. Over 18 months, readmissions fell by 17% and the programme revised its alert thresholds three times based on accumulated data. Health technologies can supply the data that drive learning cycles.",
    2020, "Journal of Medical Internet Research", ["Dubois, Antoine", "Kaur, Harpreet", "Meyer, Julia"],
    ["Telemedicine", "Heart Failure", "Monitoring, Physiologic", "Learning Health System"],
    ["telemonitoring", "health technology", "heart failure", "digital health"])
rec("Administrative databases for population health learning: linking claims and social services data",
    "Administrative databases cover whole populations. We linked health insurance claims with social services records for 3.4 million residents to study pathways of frail older adults between home care, hospital and long-term care. Regional planners used the results to redesign discharge planning. Linked administrative data infrastructures support learning at the level of the health system.",
    2021, "International Journal of Population Data Science", ["Lambert, Sophie", "Otieno, David", "Yamamoto, Haruka"],
    ["Databases, Factual", "Information Storage and Retrieval", "Frail Elderly", "Learning Health System"],
    ["administrative data", "data linkage", "population health"])
# ---- Accelerators ---------------------------------------------------------------
rec("Embedded research programmes as accelerators of learning: a multiple case study",
    "Embedded research programmes place researchers inside delivery organisations to answer operational questions. In a multiple case study of four programmes in the US, UK and Australia we found that embedded researchers shortened the time from question to evidence, translated findings for managers and stayed to support implementation. Embedded research is an accelerator of learning health systems.",
    2019, "Health Services Research", ["Rivera, Carmen", "Fitzgerald, Aoife", "Taylor, James"],
    ["Health Services Research", "Organizational Case Studies", "Learning Health System"],
    ["embedded research", "researcher-in-residence", "accelerator"])
rec("A patient safety and quality institute within a health system: ten years of improvement",
    "We describe a patient safety and quality institute created inside a provincial health system to train staff, run improvement collaboratives and analyse incident data. Over ten years, the institute ran 64 collaboratives; hospital-acquired infections and medication errors declined. Such institutes act as accelerators by concentrating improvement expertise.",
    2017, "Healthcare Quarterly", ["Sinclair, Margaret", "Wong, Kevin", "Belanger, Luc"],
    ["Patient Safety", "Quality Improvement", "Academies and Institutes", "Learning Health System"],
    ["patient safety institute", "quality improvement", "improvement collaborative"])
rec("Practice-based research networks in primary care: accelerating the learning health system",
    "Practice-based research networks link primary care practices that study questions arising in daily practice. We surveyed 128 networks: most ran pragmatic studies, quality improvement and data-sharing projects, and 61% fed results back to member practices within a year. Practice-based research networks accelerate learning in primary care.",
    2016, "Annals of Family Medicine", ["Green, Lisa", "Hoffmann, Tobias", "Abdi, Hodan"],
    ["Primary Health Care", "Community-Based Participatory Research", "Learning Health System"],
    ["practice-based research network", "primary care", "pragmatic research"])
rec("Patient and family advisory councils and their influence on hospital improvement priorities",
    "Patient and family advisory councils give patients a voice in hospital decisions. In 31 hospitals with councils, we reviewed minutes and interviewed council members and executives. Councils influenced improvement priorities in 19 hospitals, mostly in communication, discharge and access. Councils whose chairs reported to the board had more influence.",
    2018, "Patient Experience Journal", ["Hughes, Deborah", "Alvarez, Sofia", "Grant, Michael"],
    ["Patient Participation", "Advisory Committees", "Hospital Administration", "Learning Health System"],
    ["patient and family advisory council", "patient engagement", "hospital governance"])
rec("An online knowledge hub for sharing improvement evidence across a national health system",
    "We evaluated an online knowledge hub that collects and curates local improvement projects, evaluations and tools for a national health system. In three years the hub received 1,900 submissions and 410,000 visits; 28% of surveyed users had adapted a project they found there. Online knowledge hubs can accelerate the spread of knowledge in a learning health system.",
    2022, "BMJ Open Quality", ["Evans, Rhiannon", "Mahmood, Sana", "Lund, Erik"],
    ["Information Dissemination", "Internet", "Knowledge Management", "Learning Health System"],
    ["knowledge hub", "knowledge sharing", "spread and scale-up"])
# ---- Processes: learning cycles ------------------------------------------------
rec("From data to knowledge to practice: closing the loop in a learning health system for sepsis",
    [("BACKGROUND", "A learning health system turns data from practice into knowledge and feeds it back into practice."),
     ("METHODS", "We implemented a learning cycle for sepsis in five hospitals: electronic health record data were analysed monthly, findings were discussed with clinicians, and the sepsis pathway was revised."),
     ("RESULTS", "Over 30 months the cycle ran 24 times, produced 9 pathway revisions and was followed by a fall in sepsis mortality from 18.2% to 14.6%."),
     ("CONCLUSIONS", "Closing the loop from data to knowledge to practice is feasible and can be routinised.")],
    2020, "Critical Care Medicine", ["Johansson, Erik", "Morales, Lucía", "Bennett, Sarah"],
    ["Sepsis", "Quality Improvement", "Feedback", "Learning Health System"],
    ["learning cycle", "data to knowledge", "feedback loop", "sepsis"])
rec("Rapid-cycle evaluation of clinical decision support in a learning healthcare system",
    "We used rapid-cycle randomised evaluations, embedded in the electronic health record, to test 12 variants of clinical decision support alerts for medication safety. Each evaluation took 4 to 8 weeks. Five variants were adopted, four were withdrawn as ineffective and three were redesigned. Rapid-cycle evaluation accelerates the learning cycle by generating evidence during routine care.",
    2019, "JAMA Internal Medicine", ["Horvath, Leonora", "Nakagawa, Yuki", "Diallo, Aminata"],
    ["Decision Support Systems, Clinical", "Medication Errors", "Learning Health System"],
    ["rapid-cycle evaluation", "clinical decision support", "embedded trials"])
rec("Routinising continuous learning: audit and feedback cycles in a network of dialysis units",
    "Audit and feedback is a basic learning process. We studied how 47 dialysis units routinised quarterly audit and feedback cycles over eight years. Units that discussed feedback in multidisciplinary meetings and documented changes improved vascular access outcomes faster than units that only circulated reports. Routinisation depended on protected time and data support.",
    2017, "Implementation Science", ["Chen, Li", "Pereira, João", "McAllister, Gavin"],
    ["Renal Dialysis", "Medical Audit", "Feedback", "Learning Health System"],
    ["audit and feedback", "routinisation", "continuous learning"])
rec("Knowledge translation back into practice: implementing evidence generated from routine data",
    "Generating knowledge from routine data is only half of a learning cycle. We followed 40 findings produced by an analytics team into practice. Findings were implemented when a clinical champion owned them and when the change could be built into the electronic health record; 18 of 40 were implemented within a year. Implementation support is a distinct process of learning health systems.",
    2021, "Implementation Science Communications", ["Murphy, Kate", "Afolabi, Tunde", "Lindgren, Anders"],
    ["Translational Research, Biomedical", "Evidence-Based Practice", "Learning Health System"],
    ["knowledge translation", "implementation", "learning cycle"])
rec("The learning cycle in mental health services: measurement-based care as a learning process",
    "Measurement-based care collects patient-reported outcomes at each visit. We describe how a community mental health service used aggregated outcome data to revise its therapy offer every six months, completing five learning cycles. Recovery rates rose from 44% to 52%. Measurement-based care can be the engine of a learning cycle in mental health.",
    2022, "Psychiatric Services", ["O'Connor, Niamh", "Silva, Rafael", "Weber, Hannah"],
    ["Mental Health Services", "Patient Reported Outcome Measures", "Learning Health System"],
    ["measurement-based care", "learning cycle", "patient-reported outcomes"])
rec("Pragmatic trials embedded in a learning health system: comparative effectiveness of two hypertension pathways",
    "We embedded a cluster-randomised pragmatic trial in 32 primary care clinics of a learning health system, comparing two hypertension management pathways using routinely collected data. Blood pressure control improved more with the team-based pathway, which the system then adopted everywhere within six months. Embedded pragmatic trials close the loop from evidence to practice.",
    2023, "Circulation: Cardiovascular Quality and Outcomes", ["Ramirez, Diego", "Schneider, Eva", "Obi, Chinedu"],
    ["Hypertension", "Pragmatic Clinical Trials as Topic", "Comparative Effectiveness Research", "Learning Health System"],
    ["pragmatic trial", "comparative effectiveness", "hypertension"])
# ---- Outcomes: value ------------------------------------------------------------
rec("Value created by a learning health system: patient experience, provider experience, population health and cost",
    "Menear and colleagues describe value in learning health systems as a better balance of impacts on patient experience, provider experience, population health and health-system costs. We measured all four over five years in a regional learning health system. Patient experience scores and population health indicators improved, provider burnout was unchanged and per-capita costs grew more slowly than in comparison regions.",
    2023, LHSJ, ["Menard, Julie", "Ouellet, François", "Roberts, Alan"],
    ["Value-Based Health Care", "Patient Satisfaction", "Population Health", "Health Care Costs", "Learning Health System"],
    ["value", "quadruple aim", "patient experience", "health-system costs"])
rec("Clinician experience and burnout in learning health systems: a cross-sectional survey",
    "Learning activities can energise clinicians or add to their workload. We surveyed 2,310 clinicians in 14 health systems. Clinicians who took part in improvement projects with protected time reported more professional fulfilment and less burnout; those asked to collect extra data without feedback reported more burnout. Provider experience is an outcome that learning health systems should measure.",
    2021, "JAMA Network Open", ["Wright, Catherine", "Ito, Kenji", "Mwangi, Grace"],
    ["Burnout, Professional", "Job Satisfaction", "Physicians", "Learning Health System"],
    ["provider experience", "burnout", "professional fulfilment"])
rec("Health-system costs and savings from a learning health system programme for diabetes",
    "We estimated the health-system costs and savings of a learning health system programme for type 2 diabetes in a public payer system, including the data infrastructure, analytics staff and quality improvement cycles. Over four years the programme cost 4.1 million and was followed by 6.3 million in avoided hospital admissions. Learning health systems can lower health-system costs when they target high-cost events.",
    2020, "Diabetes Care", ["Lindberg, Oskar", "Torres, Valentina", "Hassan, Omar"],
    ["Diabetes Mellitus, Type 2", "Health Care Costs", "Cost Savings", "Learning Health System"],
    ["health system costs", "savings", "diabetes", "return on investment"])
rec("Population health improvement through a county-wide learning health system for childhood asthma",
    "A county-wide learning health system linked schools, clinics and hospitals to share asthma data and run improvement cycles. Over six years, asthma emergency department visits among children fell by 31% and school absences by 22%. Population health gains followed when learning spanned sectors.",
    2019, "American Journal of Public Health", ["Carter, Monique", "Lopez, Isabel", "Stewart, Ian"],
    ["Asthma", "Child", "Population Health", "Emergency Service, Hospital", "Learning Health System"],
    ["population health", "childhood asthma", "cross-sector learning"])
rec("Patient experience as an outcome of learning cycles in oncology outpatient care",
    "We integrated patient experience surveys into the learning cycles of a cancer centre: results were reviewed monthly and changes tested in clinics. Over three years, ratings of communication and waiting times improved significantly. Patient experience is a measurable outcome of a learning health system.",
    2018, "Journal of Oncology Practice", ["Murray, Fiona", "Das, Anjali", "Kruger, Pieter"],
    ["Patient Satisfaction", "Medical Oncology", "Outpatients", "Learning Health System"],
    ["patient experience", "oncology", "learning cycle"])
# ---- Frameworks and overviews (several elements) -----------------------------------
rec("Conceptualising learning health systems: a systematic review of definitions and frameworks",
    "We reviewed 102 publications defining learning health systems. Definitions shared the idea of a cycle from data to knowledge to practice; fewer named core values, supporting infrastructure or outcomes. We propose a synthesis with four elements: values, pillars and accelerators, learning processes, and value-based outcomes.",
    2019, "The Milbank Quarterly", ["Halloran, Bridget", "Zawadzki, Tomasz", "Pham, Quynh"],
    ["Learning Health System", "Delivery of Health Care", "Systematic Review"],
    ["definitions", "conceptual framework", "systematic review"], pubtype="Systematic Review")
rec("Learning health systems in low- and middle-income countries: a scoping review",
    "Most literature on learning health systems comes from high-income countries. This scoping review found 61 reports from low- and middle-income countries, mostly of district health information systems, quality improvement collaboratives and community health worker programmes. Data infrastructure and research capacity were the most common gaps.",
    2022, "BMJ Global Health", ["Nalwoga, Damaris", "Qureshi, Kamran", "Asante, Ivy"],
    ["Developing Countries", "Health Information Systems", "Learning Health System", "Review"],
    ["low- and middle-income countries", "scoping review", "district health information system"],
    pubtype="Review")
rec("Implementing a learning health system in a children's hospital: a five-year case study",
    "We report five years of building a learning health system in a children's hospital: an enterprise data warehouse, an improvement science team, a family advisory council, embedded researchers and monthly learning cycles in 12 clinical programmes. Length of stay, harm events and family experience improved. Leadership commitment and data access were the key enablers; analytic workforce shortages the main barrier.",
    2018, "Pediatric Quality and Safety", ["Marlow, Pietro", "Seddon, Malcolm", "Brito, Mariana"],
    ["Hospitals, Pediatric", "Quality Improvement", "Organizational Case Studies", "Learning Health System"],
    ["learning health system", "case study", "children's hospital", "implementation"])
rec("Barriers and facilitators to learning health systems: a qualitative evidence synthesis",
    "We synthesised 38 qualitative studies of organisations building learning health systems. Facilitators were leadership commitment, data infrastructure, embedded researchers and a culture of improvement; barriers were fragmented IT, privacy concerns, lack of funding and staff time. Few studies reported outcomes.",
    2021, "BMC Health Services Research", ["Endicott, Joan", "Jolliffe, Alison", "Tweedie, Helen"],
    ["Learning Health System", "Qualitative Research", "Organizational Culture"],
    ["barriers", "facilitators", "qualitative evidence synthesis"], pubtype="Review")
rec("Learning health system policy in national health strategies: a document analysis of 20 countries",
    "We analysed national health strategies of 20 countries for commitments to learning health systems. Fourteen mentioned continuous learning or data-driven improvement; six funded dedicated infrastructure. Commitments to equity and to patient participation were rare.",
    2024, "Health Policy", ["Vandenbroeck, Koen", "Saltzer, Ricarda", "Ito, Mariko"],
    ["Health Policy", "National Health Programs", "Learning Health System"],
    ["health policy", "national strategy", "document analysis"])
rec("Learning from adverse events across a health system: a national incident reporting and learning programme",
    "We evaluated a national programme that collects patient safety incident reports, analyses them centrally and issues alerts to providers. Over 10 years, 42 national alerts led to measurable reductions in targeted harms. The programme functions as a system-level learning cycle for patient safety.",
    2016, "BMJ Quality & Safety", ["Howlett, Anne-Marie", "Donnelly, Liam", "Parmar, Sukhdeep"],
    ["Patient Safety", "Risk Management", "Medical Errors", "Learning Health System"],
    ["incident reporting", "patient safety", "learning from harm"])
rec("Digital maturity and the learning health system: a survey of hospital chief information officers",
    "We surveyed 214 hospital chief information officers about digital maturity and learning activities. Hospitals with higher digital maturity ran more analytics-driven improvement projects and more embedded studies, but maturity alone did not predict learning without analytic staff.",
    2020, "Applied Clinical Informatics", ["Crossley, Katrin", "Willems, Robin", "Shaikh, Aziza"],
    ["Hospital Information Systems", "Surveys and Questionnaires", "Learning Health System"],
    ["digital maturity", "chief information officer", "analytics"])
rec("Community health workers in a learning health system for maternal health in rural Kenya",
    "Community health workers collected maternal health data on mobile phones; county teams reviewed the data monthly and adjusted outreach. Facility deliveries rose from 58% to 74% over three years. The programme shows how learning cycles can be run with simple technology and community partnership.",
    2021, "Global Health: Science and Practice", ["Wanjiru, Esther", "Ochieng, Brian", "Kamau, Peter"],
    ["Community Health Workers", "Maternal Health", "Kenya", "Mobile Applications", "Learning Health System"],
    ["community health workers", "maternal health", "mHealth", "learning cycle"])
rec("A learning health system for opioid stewardship in primary care",
    "We built a learning health system for opioid prescribing: monthly prescriber feedback from electronic health record data, peer comparison, and quarterly review of the guideline by clinicians and patients. High-dose prescriptions fell by 38% over two years without an increase in pain-related emergency visits.",
    2022, "Journal of General Internal Medicine", ["Anderson, Kirsten", "Boateng, Yaw", "Clarke, Sinead"],
    ["Analgesics, Opioid", "Practice Patterns, Physicians'", "Primary Health Care", "Learning Health System"],
    ["opioid stewardship", "audit and feedback", "peer comparison"])
rec("Sustaining a learning health system after the grant ends: a longitudinal study",
    "Many learning health system initiatives begin with grant funding. We followed 22 initiatives for five years after their grants ended. Fourteen were sustained; sustained initiatives had secured operating funds, embedded their data work in routine IT systems and kept executive sponsors.",
    2024, LHSJ, ["Palmer, Gregory", "Achieng, Mercy", "Lefebvre, Nathalie"],
    ["Program Evaluation", "Longitudinal Studies", "Learning Health System"],
    ["sustainability", "funding", "institutionalisation"])
rec("Patient portals and learning: using patient-generated data to improve care",
    "We analysed how a health system used messages and questionnaires submitted through its patient portal to identify problems with access and follow-up. Themes from patient-generated data led to seven service changes in two years. Patient portals can feed the voice of patients into learning cycles.",
    2019, "Journal of Medical Internet Research", ["Irigoyen, Tania", "Dabrowski, Annette", "Curragh, Christine"],
    ["Patient Portals", "Patient Generated Health Data", "Learning Health System"],
    ["patient portal", "patient-generated data", "patient voice"])
rec("Artificial intelligence in a learning health system: governance for safe deployment of predictive models",
    "Predictive models deployed in care must be monitored and updated as practice changes. We describe a governance process in which an AI oversight committee, including patients, reviews model performance, equity of predictions and clinical impact every quarter. Two models were retired after performance drift. Continuous monitoring makes model deployment part of the learning cycle.",
    2023, "NPJ Digital Medicine", ["Sandak, Marek", "Gao, Meilin", "Balan, Suresh"],
    ["Artificial Intelligence", "Models, Statistical", "Learning Health System", "Clinical Governance"],
    ["artificial intelligence governance", "model monitoring", "algorithmic fairness"])
rec("Learning health system for stroke care in a Canadian province: ten years of the stroke strategy",
    "A provincial stroke strategy combined a stroke registry, regional networks, audit and feedback and a best-practice knowledge hub. Over ten years, thrombolysis rates doubled and 30-day mortality fell. The strategy illustrates all four elements of a learning health system working together.",
    2017, "Stroke", ["Kapoor, Moira", "Halley, Ruth", "Silverman, Franklin"],
    ["Stroke", "Registries", "Quality Improvement", "Learning Health System", "Ontario"],
    ["stroke strategy", "registry", "regional networks"])
rec("Nurses as leaders of learning in hospital units: an ethnographic study",
    "We observed eight hospital units for 14 months. Nurse managers who created routines for reviewing unit data, invited front-line staff to propose changes and shared results with patients led units that learned continuously. Participatory leadership at unit level drives learning in hospitals.",
    2020, "International Journal of Nursing Studies", ["Ramsay, Elaine", "Kiptoo, Joseph", "Olsen, Ingrid"],
    ["Nursing, Supervisory", "Leadership", "Hospital Units", "Learning Health System"],
    ["nurse leadership", "unit-level learning", "ethnography"])
rec("Health technology assessment as part of a learning health system: conditional coverage with evidence development",
    "Coverage with evidence development lets payers fund promising technologies on condition that data are collected. We reviewed 23 such schemes; 15 produced evidence that changed coverage decisions. Linking health technology assessment to routine data collection extends learning to reimbursement decisions.",
    2018, "International Journal of Technology Assessment in Health Care", ["Truelove, Paula", "Granger, Davide", "Downes, Kristin"],
    ["Technology Assessment, Biomedical", "Insurance Coverage", "Learning Health System"],
    ["coverage with evidence development", "health technology assessment", "reimbursement"])
# ---- Ineligible: machine learning methods, single trials, unrelated ---------------
rec("Deep learning for automated detection of diabetic retinopathy in fundus photographs",
    "We trained a convolutional neural network on 128,000 fundus photographs to detect referable diabetic retinopathy. On an external validation set the model reached a sensitivity of 96.1% and a specificity of 93.4%. Deep learning can support screening programmes.",
    2019, "Ophthalmology", ["Zhang, Hao", "Kumar, Vikram", "Evans, Laura"],
    ["Deep Learning", "Diabetic Retinopathy", "Neural Networks, Computer", "Fundus Oculi"],
    ["deep learning", "machine learning", "retinopathy screening"])
rec("Machine learning prediction of 30-day readmission using gradient boosting on claims data",
    "We compared logistic regression with gradient-boosted trees for predicting 30-day readmission in 410,000 admissions. Gradient boosting improved the area under the curve from 0.68 to 0.73. Feature importance analysis highlighted prior admissions and polypharmacy.",
    2020, "Medical Care", ["Ross, Jonathan", "Li, Xiaoming", "Okeke, Ifeanyi"],
    ["Machine Learning", "Patient Readmission", "ROC Curve"],
    ["machine learning", "gradient boosting", "readmission prediction"])
rec("Reinforcement learning for ventilator weaning in the intensive care unit: a retrospective study",
    "We applied an offline reinforcement learning algorithm to 9,800 ICU admissions to learn a ventilator weaning policy. The learned policy agreed with clinicians in 71% of decisions and was associated with lower estimated mortality in off-policy evaluation.",
    2021, "Critical Care", ["Gottlieb, Omri", "Silva, Ana", "Brennan, Liam"],
    ["Machine Learning", "Ventilator Weaning", "Intensive Care Units"],
    ["reinforcement learning", "ventilator weaning", "artificial intelligence"])
rec("Effect of a mindfulness app on perceived stress in university students: a randomised controlled trial",
    [("OBJECTIVE", "To test whether an eight-week mindfulness app reduces perceived stress."),
     ("METHODS", "We randomised 420 university students to the app or a waiting list."),
     ("RESULTS", "Perceived stress fell more in the app group (mean difference -3.1 points, 95% CI -4.2 to -2.0)."),
     ("CONCLUSIONS", "A mindfulness app modestly reduced stress among students.")],
    2022, "JAMA Network Open", ["Hubert, Janina", "Greene, Jenna", "Puzio, Megan"],
    ["Mindfulness", "Mobile Applications", "Students", "Stress, Psychological", "Randomized Controlled Trial"],
    ["mindfulness", "app", "stress"], pubtype="Randomized Controlled Trial")
rec("Learning curves of surgical residents in laparoscopic cholecystectomy",
    "We analysed operative times and complications of 2,100 laparoscopic cholecystectomies performed by 46 residents. Operative time plateaued after about 60 cases; complication rates did not differ by experience. The learning curve for this procedure is shorter than assumed.",
    2018, "Surgical Endoscopy", ["Moreno, Pablo", "Fischer, Lukas", "Oduya, Ngozi"],
    ["Learning Curve", "Cholecystectomy, Laparoscopic", "Internship and Residency"],
    ["learning curve", "surgical training", "laparoscopy"])
rec("Problem-based learning versus lectures for teaching pharmacology to medical students",
    "In a crossover study, 180 medical students received pharmacology teaching by problem-based learning or by lectures. Examination scores were similar; students preferred problem-based learning. The choice of format can rest on student preference and faculty resources.",
    2017, "Medical Education", ["Schmitz, Henrike", "Rotteveel, Jeroen", "Yeo, Elaine"],
    ["Problem-Based Learning", "Education, Medical, Undergraduate", "Pharmacology"],
    ["problem-based learning", "medical education", "pharmacology teaching"])
rec("Cost-effectiveness of semaglutide versus dulaglutide in type 2 diabetes: a Markov model",
    "We built a Markov model to compare the cost-effectiveness of two GLP-1 receptor agonists over a 40-year horizon. Semaglutide dominated dulaglutide, with lower costs and more quality-adjusted life years. Results were robust in sensitivity analyses.",
    2020, "PharmacoEconomics", ["Huntley, Barnaby", "Malkov, Samuel", "Valentin, Wilhelm"],
    ["Cost-Benefit Analysis", "Diabetes Mellitus, Type 2", "Glucagon-Like Peptide-1 Receptor", "Markov Chains"],
    ["cost-effectiveness", "GLP-1 receptor agonist", "Markov model"])
rec("Gut microbiome composition and response to immune checkpoint inhibitors in melanoma",
    "We sequenced stool samples from 112 patients with advanced melanoma before immunotherapy. Responders had higher abundance of Ruminococcaceae and greater microbial diversity. The microbiome may predict response to checkpoint blockade.",
    2021, "Nature Medicine", ["Gopalan, Vasanth", "Spenser, Christa", "Wargrave, Jenna"],
    ["Gastrointestinal Microbiome", "Melanoma", "Immune Checkpoint Inhibitors"],
    ["microbiome", "immunotherapy", "melanoma"])
rec("Organisational learning in manufacturing firms: absorptive capacity and innovation",
    "Drawing on a survey of 640 manufacturing firms, we show that absorptive capacity mediates the relation between external knowledge sourcing and product innovation. Organisational learning routines strengthened the effect.",
    2016, "Research Policy", ["Laine, Petra", "Kokkonen, Bala", "Pathania, Seema"],
    ["Organizational Innovation", "Industry", "Learning"],
    ["organisational learning", "absorptive capacity", "manufacturing"])
rec("Hand hygiene compliance after a single educational session in a surgical ward: a before-after study",
    "A single 30-minute educational session on hand hygiene was delivered to the staff of one surgical ward. Observed compliance rose from 48% to 61% at one month and returned to 50% at six months.",
    2015, "American Journal of Infection Control", ["Rossi, Paolo", "Edmonds, Michaela", "Saxer, Hugo"],
    ["Hand Hygiene", "Guideline Adherence", "Cross Infection", "Education"],
    ["hand hygiene", "education", "compliance"])
rec("Protocol for a systematic review of telehealth for chronic obstructive pulmonary disease",
    "This protocol describes a planned systematic review of randomised trials of telehealth interventions for people with chronic obstructive pulmonary disease, with hospital admissions as the primary outcome.",
    2023, "Systematic Reviews", ["Janjua, Sadaf", "Carter, Diane", "Thrale, Christopher"],
    ["Telemedicine", "Pulmonary Disease, Chronic Obstructive", "Systematic Reviews as Topic"],
    ["protocol", "telehealth", "COPD"])
rec("Editorial: the year in learning health systems",
    None,
    2024, LHSJ, ["Frederiksen, Carl"],
    ["Learning Health System"],
    ["editorial"], pubtype="Editorial")
rec("Federated learning across hospitals for privacy-preserving sepsis prediction",
    "We trained a sepsis prediction model with federated learning across five hospitals, without sharing patient data. The federated model performed as well as a centrally trained model (AUROC 0.82 vs 0.83). Federated learning protects privacy in multi-site model development.",
    2022, "Journal of the American Medical Informatics Association", ["Rieker, Nicole", "Hancock, Jonah", "Xu, Dan"],
    ["Machine Learning", "Sepsis", "Privacy", "Multicenter Studies as Topic"],
    ["federated learning", "privacy-preserving", "sepsis prediction"])
rec("Vitamin D supplementation and fracture risk in older women: a randomised trial",
    [("BACKGROUND", "The effect of annual high-dose vitamin D on fractures is uncertain."),
     ("METHODS", "1,480 women aged 72 or older received 400,000 IU cholecalciferol or placebo each winter for four years."),
     ("RESULTS", "Falls and fractures were more frequent in the vitamin D group (rate ratio for fractures 1.19)."),
     ("CONCLUSIONS", "Annual high-dose oral vitamin D increased the risk of falls and fractures.")],
    2012, "Osteoporosis International", ["Saunders, Kerry", "Stewart, Amelia", "Nicholls, Geoff"],
    ["Vitamin D", "Fractures, Bone", "Aged", "Randomized Controlled Trial"],
    ["vitamin D", "fractures", "falls"], pubtype="Randomized Controlled Trial")

def authors_xml(names):
    out = ['<AuthorList CompleteYN="Y">']
    for i, n in enumerate(names):
        if "," in n:
            last, fore = [x.strip() for x in n.split(",", 1)]
            initials = "".join(p[0] for p in fore.replace("-", " ").split())
            out.append(f'<Author ValidYN="Y"><LastName>{xml_text(last)}</LastName><ForeName>{xml_text(fore)}</ForeName><Initials>{xml_text(initials)}</Initials>'
                       f'<AffiliationInfo><Affiliation>Demo Institute for Health Systems Research {i + 1}, Fictional City.</Affiliation></AffiliationInfo></Author>')
        else:
            out.append(f'<Author ValidYN="Y"><CollectiveName>{xml_text(n)}</CollectiveName></Author>')
    out.append("</AuthorList>")
    return "".join(out)

def xml_text(s):
    # Non-ASCII as character references, as PubMed writes them.
    return "".join(c if ord(c) < 128 else f"&#x{ord(c):x};" for c in escape(s))

def article(i, r):
    pmid = 990000001 + i
    month = MONTHS[(i * 5) % 12]
    abstract = ""
    a = r["abstract"]
    if isinstance(a, str):
        abstract = f"<Abstract><AbstractText>{xml_text(a)}</AbstractText></Abstract>"
    elif a:
        parts = "".join(f'<AbstractText Label="{l}" NlmCategory="{l.rstrip("S") if l != "CONCLUSIONS" else "CONCLUSIONS"}">{xml_text(t)}</AbstractText>' for l, t in a)
        abstract = f"<Abstract>{parts}</Abstract>"
    # Publication types are not MeSH descriptors.
    terms = [m for m in r["mesh"] if m not in ("Review", "Systematic Review", "Randomized Controlled Trial")]
    mesh = "".join(f'<MeshHeading><DescriptorName UI="D99{j:04d}" MajorTopicYN="{"Y" if j == 0 else "N"}">{xml_text(m)}</DescriptorName></MeshHeading>' for j, m in enumerate(terms))
    kw = "".join(f'<Keyword MajorTopicYN="N">{xml_text(k)}</Keyword>' for k in r["keywords"])
    doi = f"10.99999/scoper-demo.{pmid}"
    return f"""<PubmedArticle>
<MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">{pmid}</PMID>
<DateRevised><Year>2025</Year><Month>01</Month><Day>15</Day></DateRevised>
<Article PubModel="Print-Electronic">
<Journal><JournalIssue CitedMedium="Internet"><Volume>{(r["year"] - 2000) % 40 + 1}</Volume><Issue>{i % 4 + 1}</Issue><PubDate><Year>{r["year"]}</Year><Month>{month}</Month></PubDate></JournalIssue><Title>{xml_text(r["journal"])}</Title></Journal>
<ArticleTitle>{xml_text(r["title"])}.</ArticleTitle>
<Pagination><MedlinePgn>e{10000 + i * 37}</MedlinePgn></Pagination>
<ELocationID EIdType="doi" ValidYN="Y">{doi}</ELocationID>
{abstract}
{authors_xml(r["authors"])}
<Language>eng</Language>
<PublicationTypeList><PublicationType UI="D016428">{r["pubtype"]}</PublicationType></PublicationTypeList>
</Article>
<MedlineJournalInfo><Country>Fictional</Country><MedlineTA>{xml_text(r["journal"])}</MedlineTA></MedlineJournalInfo>
<MeshHeadingList>{mesh}</MeshHeadingList>
<KeywordList Owner="NOTNLM">{kw}</KeywordList>
</MedlineCitation>
<PubmedData><PublicationStatus>ppublish</PublicationStatus><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId><ArticleId IdType="doi">{doi}</ArticleId></ArticleIdList></PubmedData>
</PubmedArticle>
"""

def main():
    body = "".join(article(i, r) for i, r in enumerate(R))
    with open("corpus/demo/lhs-demo.xml", "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n')
        f.write("<!-- Fictional demo records written for scoper; see corpus/README.md. -->\n")
        f.write("<PubmedArticleSet>\n" + body + "</PubmedArticleSet>\n")
    print(f"wrote {len(R)} records to corpus/demo/lhs-demo.xml")

if __name__ == "__main__":
    main()
