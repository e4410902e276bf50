//! The stages in order: load -> resolve -> render -> check -> emit-ready objects.

use std::thread;

use crate::check::{self, Object, TemplateDefect};
use crate::diagnostics::Diagnostic;
use crate::load;
use crate::locate::ProfileFile;
use crate::render::{Rendered, Renderer};
use crate::resolve;
use crate::source::SourceFile;

pub enum Failure {
    /// The profile is wrong: findings for the user, with the source to quote from.
    Profile {
        diagnostics: Vec<Diagnostic>,
        source: Option<SourceFile>,
    },
    /// A template produced something invalid: a defect in gen, named by template.
    Template(String),
}

pub struct Output {
    pub profile: String,
    pub objects: Vec<Object>,
}

pub fn run(profile: &ProfileFile, renderer: &Renderer) -> Result<Output, Failure> {
    let display = profile.path.as_str();
    let loaded = load::load(&profile.path, display).map_err(|(source, diagnostic)| Failure::Profile {
        diagnostics: vec![diagnostic],
        source,
    })?;
    let model = match resolve::resolve(&loaded.profile, &loaded.source, &profile.name) {
        Ok(model) => model,
        Err(mut diagnostics) => {
            crate::diagnostics::sort(&mut diagnostics);
            return Err(Failure::Profile {
                diagnostics,
                source: Some(loaded.source),
            });
        }
    };
    let rendered = renderer
        .render(&model)
        .map_err(|e| Failure::Template(format!("{e:#}")))?;
    let mut objects = check_all(rendered).map_err(|defect| Failure::Template(defect.to_string()))?;
    crate::emit::sort_for_apply(&mut objects);
    Ok(Output {
        profile: profile.name.clone(),
        objects,
    })
}

/// Checks documents on every core: decoding dominates the time of a large render.
fn check_all(rendered: Vec<Rendered>) -> Result<Vec<Object>, TemplateDefect> {
    let workers = thread::available_parallelism().map_or(1, |n| n.get());
    if workers == 1 || rendered.len() < 64 {
        return rendered.into_iter().map(check::check).collect();
    }
    let chunk_size = rendered.len().div_ceil(workers);
    let mut chunks: Vec<Vec<Rendered>> = Vec::with_capacity(workers);
    let mut rest = rendered.into_iter();
    loop {
        let chunk: Vec<Rendered> = rest.by_ref().take(chunk_size).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || chunk.into_iter().map(check::check).collect::<Result<Vec<_>, _>>()))
            .collect();
        let mut objects = Vec::new();
        for handle in handles {
            objects.extend(handle.join().expect("a check worker panicked")?);
        }
        Ok(objects)
    })
}
