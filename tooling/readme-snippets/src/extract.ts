/**
 * Reads the ```ts blocks of a README and the directives in the HTML comments right above each block.
 *
 * Directives (rendered Markdown hides them):
 *   <!-- snippet: continues -->              the block is part of the same program as the block before it
 *   <!-- snippet: run -->                    the program's top level must finish without an error
 *   <!-- snippet: run GET /path 200 -->      ...and then answer that request with that status
 *   <!-- snippet: prints hello -->           ...and print that text
 *   <!-- snippet-prelude
 *   declare const app: import('express').Express
 *   -->                                      code the block needs but the reader does not
 * Several directives may share one comment, separated by `;`.
 */

export interface HttpCheck {
  method: string
  path: string
  status: number
}

export interface Snippet {
  /** 1-based README line of the block's first code line. */
  line: number
  code: string
  prelude: string
  continues: boolean
  run: boolean
  requests: HttpCheck[]
  prints: string[]
}

const fence = /^```(\S*)\s*$/
const directiveComment = /^<!--\s*snippet:(.*?)-->\s*$/
const preludeStart = /^<!--\s*snippet-prelude\s*$/

interface Pending {
  prelude: string[]
  directives: string[]
}

function emptyPending(): Pending {
  return { prelude: [], directives: [] }
}

function parseDirectives(directives: readonly string[], line: number): Omit<Snippet, 'line' | 'code' | 'prelude'> {
  const parsed: Omit<Snippet, 'line' | 'code' | 'prelude'> = { continues: false, run: false, requests: [], prints: [] }
  for (const directive of directives) {
    const [word = '', ...rest] = directive.split(/\s+/)
    if (word === 'continues' && rest.length === 0) parsed.continues = true
    else if (word === 'prints' && rest.length > 0) parsed.prints.push(rest.join(' '))
    else if (word === 'run' && rest.length === 0) parsed.run = true
    else if (word === 'run' && rest.length === 3 && /^[A-Z]+$/.test(rest[0] ?? '') && /^\d{3}$/.test(rest[2] ?? '')) {
      parsed.run = true
      parsed.requests.push({ method: rest[0] ?? '', path: rest[1] ?? '', status: Number(rest[2]) })
    } else throw new SyntaxError(`README line ${line}: unknown snippet directive "${directive}"`)
  }
  if (parsed.prints.length > 0 && !parsed.run) throw new SyntaxError(`README line ${line}: "prints" needs "run"`)
  return parsed
}

/** Every ```ts block of the Markdown text, in order, with the directives written above it. */
export function extractSnippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n')
  const snippets: Snippet[] = []
  let pending = emptyPending()
  for (let index = 0; index < lines.length; index += 1) {
    const text = lines[index] ?? ''
    const directive = directiveComment.exec(text)
    if (directive) {
      pending.directives.push(
        ...(directive[1] ?? '')
          .split(';')
          .map((part) => part.trim())
          .filter((part) => part !== ''),
      )
      continue
    }
    if (preludeStart.test(text)) {
      const end = lines.findIndex((candidate, at) => at > index && candidate.trim() === '-->')
      if (end < 0) throw new SyntaxError(`README line ${index + 1}: snippet-prelude is not closed by a "-->" line`)
      pending.prelude.push(...lines.slice(index + 1, end))
      index = end
      continue
    }
    const opening = fence.exec(text)
    if (opening) {
      const end = lines.findIndex((candidate, at) => at > index && /^```\s*$/.test(candidate))
      if (end < 0) throw new SyntaxError(`README line ${index + 1}: code block is not closed`)
      if (opening[1] === 'ts' || opening[1] === 'typescript') {
        snippets.push({
          line: index + 2,
          code: lines.slice(index + 1, end).join('\n'),
          prelude: pending.prelude.join('\n'),
          ...parseDirectives(pending.directives, index + 1),
        })
      } else if (pending.directives.length > 0 || pending.prelude.length > 0) {
        throw new SyntaxError(`README line ${index + 1}: snippet directives above a block that is not \`\`\`ts`)
      }
      pending = emptyPending()
      index = end
      continue
    }
    if (text.trim() !== '' && (pending.directives.length > 0 || pending.prelude.length > 0)) {
      throw new SyntaxError(`README line ${index + 1}: snippet directives must sit right above a \`\`\`ts block`)
    }
  }
  return snippets
}
