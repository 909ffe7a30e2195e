import './base.css';
import './overview.css';
