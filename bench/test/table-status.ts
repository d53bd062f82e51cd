/** The status cell (last column) of the row of a markdown table that starts with `| <label>`. */
export const statusOf = (table: string, label: string): string | undefined =>
  table
    .split('\n')
    .find((line) => line.startsWith(`| ${label}`))
    ?.split('|')
    .at(-2)
    ?.trim()
