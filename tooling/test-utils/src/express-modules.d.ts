// Express 4 and 5 are installed side by side under npm aliases; both are typed with @types/express 5.
declare module 'express4' {
  import express = require('express')
  export = express
}

declare module 'express5' {
  import express = require('express')
  export = express
}
