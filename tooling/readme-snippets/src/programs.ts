import type { HttpCheck, Snippet } from './extract.js'

/** One or more consecutive README blocks compiled as one module. */
export interface Program {
  /** File name inside the temp project, e.g. `cache-1.ts`. */
  file: string
  /** README lines of the blocks it is made of. */
  lines: number[]
  source: string
  /** README line of each source line (0-based index), or undefined for hidden prelude lines. */
  lineMap: (number | undefined)[]
  run: boolean
  requests: HttpCheck[]
  prints: string[]
}

/** Groups a README's snippets into programs: a block that `continues` joins the program before it. */
export function buildPrograms(name: string, snippets: readonly Snippet[]): Program[] {
  const programs: Program[] = []
  for (const snippet of snippets) {
    let program = programs.at(-1)
    if (!snippet.continues || !program) {
      if (snippet.continues)
        throw new SyntaxError(`${name} line ${snippet.line}: the first block cannot continue another`)
      program = {
        file: `${name}-${programs.length + 1}.ts`,
        lines: [],
        source: '',
        lineMap: [],
        run: false,
        requests: [],
        prints: [],
      }
      programs.push(program)
    }
    const prelude = snippet.prelude === '' ? [] : snippet.prelude.split('\n')
    const code = snippet.code.split('\n')
    program.lines.push(snippet.line)
    program.lineMap.push(...prelude.map(() => undefined), ...code.map((_, offset) => snippet.line + offset))
    program.source += `${[...prelude, ...code].join('\n')}\n`
    program.run ||= snippet.run
    program.requests.push(...snippet.requests)
    program.prints.push(...snippet.prints)
  }
  for (const program of programs) {
    // Every program is a module of its own, so that two READMEs' top-level names never meet.
    program.source += 'export {}\n'
  }
  return programs
}
