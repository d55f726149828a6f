// Moved to components/input/ (every input file uses it); this path stays for the model checks that import it.
export { closestWord, editDistance } from "../input/did-you-mean";
